// The bootstrap message: what the host sends init, read back as strictly as a config.
#include <catch2/catch.hpp>

#include "common/bootstrap.hpp"

TEST_CASE("a bootstrap survives JSON and back, namespaces by name") {
  cask::Bootstrap b;
  b.mode = cask::Bootstrap::Mode::kExec;
  b.id = "web";
  b.config.hostname = "web";
  b.process.args = {"/bin/sh"};
  b.join = {{cask::NamespaceType::kUser, "/proc/42/ns/user"}, {cask::NamespaceType::kNet, "/proc/42/ns/net"}};
  b.fork = true;
  b.extra_fds = 2;
  b.seccomp_flags = 1;
  nlohmann::json json = cask::ToJson(b);
  CHECK(json["mode"] == "exec");
  CHECK(json["join"][1]["type"] == "network");
  CHECK(cask::BootstrapFromJson(json) == b);
}

TEST_CASE("a bootstrap that this init cannot read names the field") {
  cask::Bootstrap b;
  b.id = "web";
  nlohmann::json json = cask::ToJson(b);
  json["mode"] = "restore";
  CHECK_THROWS_WITH(cask::BootstrapFromJson(json), "bootstrap.mode: unknown mode \"restore\"");
  json = cask::ToJson(b);
  json.erase("process");
  CHECK_THROWS_WITH(cask::BootstrapFromJson(json), "bootstrap: missing key \"process\"");
  json = cask::ToJson(b);
  json["join"] = {{{"type", 3}, {"path", "/proc/1/ns/ipc"}}};
  CHECK_THROWS_WITH(cask::BootstrapFromJson(json), "bootstrap.join[0].type: expected a namespace type, got number");
}
