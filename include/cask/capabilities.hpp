// Capability names and numbers, as the kernel spells them, without libcap.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace cask {

// The highest capability number this table knows (CAP_CHECKPOINT_RESTORE, Linux 5.9).
inline constexpr int kLastCapability = 40;

// Indexed by capability number.
inline constexpr std::array<std::string_view, kLastCapability + 1> kCapabilityNames = {
    "CAP_CHOWN",           "CAP_DAC_OVERRIDE",     "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",          "CAP_FSETID",           "CAP_KILL",
    "CAP_SETGID",          "CAP_SETUID",           "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",       "CAP_NET_RAW",          "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",       "CAP_SYS_MODULE",       "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",       "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",       "CAP_SYS_BOOT",         "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",         "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",           "CAP_LEASE",            "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",          "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",       "CAP_SYSLOG",           "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",       "CAP_PERFMON",
    "CAP_BPF",             "CAP_CHECKPOINT_RESTORE",
};

inline std::optional<int> CapabilityFromName(std::string_view name) {
  for (int cap = 0; cap <= kLastCapability; ++cap) {
    if (kCapabilityNames[cap] == name) return cap;
  }
  return std::nullopt;
}

// The name of capability `cap`; empty when the number is unknown. Backed by a literal.
inline std::string_view CapabilityName(int cap) {
  if (cap < 0 || cap > kLastCapability) return {};
  return kCapabilityNames[cap];
}

}  // namespace cask
