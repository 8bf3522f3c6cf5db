// The default Config: what `runc spec` generates, with the root path left for the
// caller to set.
#pragma once

#include <cask/config.hpp>

namespace cask {

inline Config DefaultConfig() {
  Config c;
  c.root.readonly = true;
  c.hostname = "cask";
  c.namespaces = {{NamespaceType::kPid, ""},   {NamespaceType::kNet, ""},   {NamespaceType::kIpc, ""},
                  {NamespaceType::kUts, ""},   {NamespaceType::kMount, ""}, {NamespaceType::kCgroup, ""}};
  c.mounts = {
      {"proc", "/proc", "proc", {}},
      {"tmpfs", "/dev", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"devpts", "/dev/pts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {"shm", "/dev/shm", "tmpfs", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"mqueue", "/dev/mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"sysfs", "/sys", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
      {"cgroup", "/sys/fs/cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}},
  };
  const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  c.capabilities.bounding = caps;
  c.capabilities.effective = caps;
  c.capabilities.permitted = caps;
  c.rlimits = {{"RLIMIT_NOFILE", 1024, 1024}};
  c.no_new_privileges = true;
  c.masked_paths = {"/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
                    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                    "/sys/firmware",       "/proc/scsi",       "/sys/devices/virtual/powercap"};
  c.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  c.process.args = {"sh"};
  c.process.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  c.process.cwd = "/";
  // runc spec turns the terminal on; here it is off, and `nsinit exec --tty` turns it on,
  // so that a default config works for a host program reading pipes.
  c.process.terminal = false;
  return c;
}

}  // namespace cask
