// Namespace types: their OCI names, clone flags and /proc/<pid>/ns file names.
#pragma once

#include <cask/config.hpp>
#include <sched.h>

#include <optional>
#include <string_view>

namespace cask {

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct NamespaceInfo {
  NamespaceType type;
  const char* oci_name;  // "network"
  const char* proc_name;  // "net"
  int clone_flag;
};

inline constexpr NamespaceInfo kNamespaces[] = {
    {NamespaceType::kMount, "mount", "mnt", CLONE_NEWNS},
    {NamespaceType::kUts, "uts", "uts", CLONE_NEWUTS},
    {NamespaceType::kIpc, "ipc", "ipc", CLONE_NEWIPC},
    {NamespaceType::kPid, "pid", "pid", CLONE_NEWPID},
    {NamespaceType::kNet, "network", "net", CLONE_NEWNET},
    {NamespaceType::kUser, "user", "user", CLONE_NEWUSER},
    {NamespaceType::kCgroup, "cgroup", "cgroup", CLONE_NEWCGROUP},
    {NamespaceType::kTime, "time", "time", CLONE_NEWTIME},
};

inline const NamespaceInfo& Info(NamespaceType type) {
  return kNamespaces[static_cast<int>(type)];
}
inline const char* NamespaceName(NamespaceType type) { return Info(type).oci_name; }
inline const char* ProcNsName(NamespaceType type) { return Info(type).proc_name; }
inline int CloneFlag(NamespaceType type) { return Info(type).clone_flag; }

inline std::optional<NamespaceType> NamespaceFromName(std::string_view name) {
  for (const auto& info : kNamespaces) {
    if (name == info.oci_name) return info.type;
  }
  return std::nullopt;
}

}  // namespace cask
