#include "bundle.hpp"

#include <cask/cask.hpp>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

namespace cask::test {

Bundle::Bundle(const char* patch) {
  char dir[] = "/tmp/cask-bundle-XXXXXX";
  if (mkdtemp(dir) == nullptr) throw cask::Error(errno, "mkdtemp");
  dir_ = dir;
  root_ = dir_ + "/state";
  Write(patch);
}

Bundle::~Bundle() {
  const auto list = Cask({"--root", root_, "list", "--format", "json"});
  CHECK(list.out == "[]\n");
  std::filesystem::remove_all(dir_);
}

void Bundle::Write(const char* patch) {
  cask::Config config = cask::DefaultConfig();
  config.root.path = rootfs_.Path();
  config.process.args = {"/probe"};
  nlohmann::json spec = nlohmann::json::parse(cask::oci::WriteSpec(config));
  spec.merge_patch(nlohmann::json::parse(patch));
  std::ofstream(dir_ + "/config.json") << spec.dump();
}

ProgramResult Bundle::Run(std::vector<std::string> args) const {
  args.insert(args.begin(), {"--root", root_});
  return Cask(args, dir_);
}

}  // namespace cask::test
