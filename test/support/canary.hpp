// A host directory that a container must never reach: made empty but for a marker file,
// compared before and after, removed with its object.
#pragma once

#include <stdlib.h>

#include <cask/error.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace cask::test {

class Canary {
 public:
  Canary() {
    char dir[] = "/tmp/cask-canary-XXXXXX";
    if (mkdtemp(dir) == nullptr) throw Error(errno, "mkdtemp");
    path_ = dir;
    std::ofstream(path_ + "/marker") << "host";
  }
  ~Canary() { std::filesystem::remove_all(path_); }
  Canary(const Canary&) = delete;
  Canary& operator=(const Canary&) = delete;

  const std::string& Path() const { return path_; }
  // Every name under the directory, recursively.
  std::set<std::string> Entries() const {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::recursive_directory_iterator(path_)) {
      names.insert(e.path().string());
    }
    return names;
  }
  bool Untouched() const {
    std::ifstream in(path_ + "/marker");
    std::string text;
    in >> text;
    return Entries() == std::set<std::string>{path_ + "/marker"} && text == "host";
  }

 private:
  std::string path_;
};

}  // namespace cask::test
