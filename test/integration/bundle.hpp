// A bundle for the tests of the cask program: config.json from cask's defaults over the
// test rootfs, running the probe, with a JSON merge patch on top; and a state root of its
// own, which must be empty when the Bundle goes (every test deletes what it made).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.hpp"
#include "rootfs.hpp"

namespace cask::test {

class Bundle {
 public:
  explicit Bundle(const char* patch = "{}");
  ~Bundle();
  Bundle(const Bundle&) = delete;
  Bundle& operator=(const Bundle&) = delete;

  // Rewrites config.json: the defaults with `patch` merged in.
  void Write(const char* patch);
  const std::string& Dir() const { return dir_; }
  const std::string& Root() const { return root_; }
  const std::string& Rootfs() const { return rootfs_.Path(); }
  // cask --root ROOT ARGS..., in the bundle directory.
  ProgramResult Run(std::vector<std::string> args) const;
  nlohmann::json State(const std::string& id) const { return nlohmann::json::parse(Run({"state", id}).out); }

 private:
  cask::test::Rootfs rootfs_;
  std::string dir_;
  std::string root_;
};

}  // namespace cask::test
