// The config nsinit gives a new container: docker's defaults for a shell in a distro,
// changed by container.json or --config (a JSON merge patch over those defaults), then
// by exec's flags.
#pragma once

#include <cask/config.hpp>

#include <optional>
#include <ostream>
#include <string>

struct ConfigFlags {
  std::string file;    // --config; empty: ./container.json when there is one
  std::string rootfs;  // --rootfs; empty: the file's root.path, else the current directory
  std::optional<std::string> hostname;
  bool read_only = false;
  bool init = false;
};

// What `docker run` gives where `runc spec` (cask::DefaultConfig) is stricter: a
// writable root, docker's default capabilities (su and runuser need SETUID and SETGID),
// no no_new_privileges (setuid programs work), and the seccomp profile for those
// capabilities. The namespaces, mounts and masked paths stay the default's.
cask::Config NsinitDefaultConfig();

// The file the config comes from: --config, else ./container.json if present, else "".
std::string ConfigFileOf(const ConfigFlags& flags);

// The config of `nsinit exec` with these flags, its root made absolute.
cask::Config LoadConfig(const ConfigFlags& flags);

// `nsinit config --validate FILE`: the file read as exec would read it; prints each
// problem with its JSON path, or that it is valid. Returns the exit code (0: valid).
int ValidateConfigFile(const std::string& file, std::ostream& out);
