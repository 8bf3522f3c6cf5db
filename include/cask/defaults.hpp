// The default configuration: what `runc spec` generates, minus the root path.
#pragma once

#include "cask/config.hpp"
#include "cask/seccomp_profile.hpp"

namespace cask {

// What runc allows every container on top of its own device rules: mknod of any node,
// and the default devices, the ptys and tun.
inline std::vector<DeviceRule> DefaultDeviceAllows() {
  return {
      DeviceRule{.allow = true, .type = 'c', .major = -1, .minor = -1, .access = "m"},
      DeviceRule{.allow = true, .type = 'b', .major = -1, .minor = -1, .access = "m"},
      DeviceRule{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},    // null
      DeviceRule{.allow = true, .type = 'c', .major = 1, .minor = 5, .access = "rwm"},    // zero
      DeviceRule{.allow = true, .type = 'c', .major = 1, .minor = 7, .access = "rwm"},    // full
      DeviceRule{.allow = true, .type = 'c', .major = 1, .minor = 8, .access = "rwm"},    // random
      DeviceRule{.allow = true, .type = 'c', .major = 1, .minor = 9, .access = "rwm"},    // urandom
      DeviceRule{.allow = true, .type = 'c', .major = 5, .minor = 0, .access = "rwm"},    // tty
      DeviceRule{.allow = true, .type = 'c', .major = 5, .minor = 1, .access = "rwm"},    // console
      DeviceRule{.allow = true, .type = 'c', .major = 5, .minor = 2, .access = "rwm"},    // ptmx
      DeviceRule{.allow = true, .type = 'c', .major = 136, .minor = -1, .access = "rwm"}, // pts
      DeviceRule{.allow = true, .type = 'c', .major = 10, .minor = 200, .access = "rwm"}, // tun
  };
}

// A locked-down container running "sh" as root: new pid, network, ipc, uts, mount and
// cgroup namespaces; the standard /proc, /dev, /sys mounts; three capabilities; the
// usual masked and read-only /proc and /sys paths; all devices denied in the device
// cgroup, then runc's allow list on top; docker's default seccomp profile (runc spec has
// none: a library's default should be the safe one). root.path is left empty: the
// caller sets it.
inline Config DefaultConfig() {
  Config config;
  config.root.readonly = true;
  config.hostname = "cask";
  config.namespaces = {
      {NamespaceType::kPid, ""}, {NamespaceType::kNet, ""},   {NamespaceType::kIpc, ""},
      {NamespaceType::kUts, ""}, {NamespaceType::kMount, ""}, {NamespaceType::kCgroup, ""},
  };
  config.mounts = {
      {"proc", "/proc", "proc", {}},
      {"tmpfs", "/dev", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"devpts",
       "/dev/pts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {"shm", "/dev/shm", "tmpfs", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"mqueue", "/dev/mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"sysfs", "/sys", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
      {"cgroup", "/sys/fs/cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}},
  };
  const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  config.capabilities.bounding = caps;
  config.capabilities.effective = caps;
  config.capabilities.permitted = caps;
  config.rlimits = {{"RLIMIT_NOFILE", 1024, 1024}};
  config.no_new_privileges = true;
  config.seccomp = DefaultSeccompProfile(caps);
  config.masked_paths = {
      "/proc/acpi",
      "/proc/asound",
      "/proc/kcore",
      "/proc/keys",
      "/proc/latency_stats",
      "/proc/timer_list",
      "/proc/timer_stats",
      "/proc/sched_debug",
      "/sys/firmware",
      "/proc/scsi",
      "/sys/devices/virtual/tpm",
  };
  config.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                           "/proc/sysrq-trigger"};
  // Deny all, then allow what runc allows every container.
  config.cgroup.resources.devices = {DeviceRule{.allow = false, .access = "rwm"}};
  for (const DeviceRule& rule : DefaultDeviceAllows()) config.cgroup.resources.devices.push_back(rule);
  config.process.args = {"sh"};
  config.process.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "TERM=xterm"};
  config.process.cwd = "/";
  config.process.user = "0:0";
  // runc spec sets a terminal; a library caller usually has none. nsinit --tty sets it.
  config.process.terminal = false;
  return config;
}

}  // namespace cask
