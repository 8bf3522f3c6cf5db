// Namespace types: their OCI names, clone(2) flags and /proc/<pid>/ns file names.
#pragma once

#include <sched.h>

#include <array>
#include <optional>
#include <string_view>

#include "cask/config.hpp"

namespace cask {

// Every namespace type, in NamespaceType order.
inline constexpr std::array<NamespaceType, 8> kNamespaceTypes = {
    NamespaceType::kMount, NamespaceType::kUts,  NamespaceType::kIpc,    NamespaceType::kPid,
    NamespaceType::kNet,   NamespaceType::kUser, NamespaceType::kCgroup, NamespaceType::kTime,
};

// The OCI name: "mount", "uts", "ipc", "pid", "network", "user", "cgroup", "time".
// The view is backed by a string literal, so data() is NUL-terminated.
inline std::string_view NamespaceName(NamespaceType type) {
  switch (type) {
    case NamespaceType::kMount: return "mount";
    case NamespaceType::kUts: return "uts";
    case NamespaceType::kIpc: return "ipc";
    case NamespaceType::kPid: return "pid";
    case NamespaceType::kNet: return "network";
    case NamespaceType::kUser: return "user";
    case NamespaceType::kCgroup: return "cgroup";
    case NamespaceType::kTime: return "time";
  }
  return "";
}

inline std::optional<NamespaceType> NamespaceFromName(std::string_view name) {
  for (NamespaceType type : kNamespaceTypes) {
    if (NamespaceName(type) == name) return type;
  }
  return std::nullopt;
}

inline int CloneFlag(NamespaceType type) {
  switch (type) {
    case NamespaceType::kMount: return CLONE_NEWNS;
    case NamespaceType::kUts: return CLONE_NEWUTS;
    case NamespaceType::kIpc: return CLONE_NEWIPC;
    case NamespaceType::kPid: return CLONE_NEWPID;
    case NamespaceType::kNet: return CLONE_NEWNET;
    case NamespaceType::kUser: return CLONE_NEWUSER;
    case NamespaceType::kCgroup: return CLONE_NEWCGROUP;
    case NamespaceType::kTime: return 0x80;  // CLONE_NEWTIME; older libcs lack the name
  }
  return 0;
}

// The file name under /proc/<pid>/ns/.
inline const char* ProcNsName(NamespaceType type) {
  switch (type) {
    case NamespaceType::kMount: return "mnt";
    case NamespaceType::kUts: return "uts";
    case NamespaceType::kIpc: return "ipc";
    case NamespaceType::kPid: return "pid";
    case NamespaceType::kNet: return "net";
    case NamespaceType::kUser: return "user";
    case NamespaceType::kCgroup: return "cgroup";
    case NamespaceType::kTime: return "time";
  }
  return "";
}

}  // namespace cask
