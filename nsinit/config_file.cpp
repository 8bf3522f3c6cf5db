#include "config_file.hpp"

#include <cask/config_json.hpp>
#include <cask/defaults.hpp>
#include <cask/validate.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace {

std::string ReadConfigText(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw cask::Error(errno, "read config " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

cask::Config NsinitDefaultConfig() {
  cask::Config config = cask::DefaultConfig();
  config.root.readonly = false;
  const std::vector<std::string> caps = {
      "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",     "CAP_MKNOD",
      "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",           "CAP_SETFCAP",    "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE",           "CAP_SYS_CHROOT",       "CAP_KILL",       "CAP_AUDIT_WRITE",
  };
  config.capabilities.bounding = caps;
  config.capabilities.effective = caps;
  config.capabilities.permitted = caps;
  config.no_new_privileges = false;
  config.seccomp = cask::DefaultSeccompProfile(caps);
  return config;
}

std::string ConfigFileOf(const ConfigFlags& flags) {
  if (!flags.file.empty()) return flags.file;
  return std::filesystem::exists("container.json") ? "container.json" : "";
}

cask::Config LoadConfig(const ConfigFlags& flags) {
  namespace fs = std::filesystem;
  cask::Config config = NsinitDefaultConfig();
  const std::string file = ConfigFileOf(flags);
  if (!file.empty()) config = cask::ParseConfigPatch(ReadConfigText(file), config);
  if (!flags.rootfs.empty()) {
    config.root.path = flags.rootfs;
  } else if (config.root.path.empty()) {
    config.root.path = ".";
  }
  config.root.path = fs::absolute(config.root.path).lexically_normal().string();
  if (config.root.path.size() > 1 && config.root.path.back() == '/') config.root.path.pop_back();
  if (flags.read_only) config.root.readonly = true;
  if (flags.hostname) config.hostname = *flags.hostname;
  if (flags.init) config.init = true;
  return config;
}

int ValidateConfigFile(const std::string& file, std::ostream& out) {
  std::vector<cask::ConfigError> problems;
  ConfigFlags flags;
  flags.file = file;
  try {
    problems = LoadConfig(flags).Problems();
  } catch (const cask::ConfigError& e) {
    problems.push_back(e);  // the JSON itself: its first problem
  }
  for (const auto& problem : problems) out << file << ": " << problem.what() << "\n";
  if (problems.empty()) out << file << ": valid\n";
  return problems.empty() ? 0 : 1;
}
