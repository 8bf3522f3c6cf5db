// Resource limit names ("RLIMIT_NOFILE") and their numbers.
#pragma once

#include <sys/resource.h>

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace cask {

inline constexpr std::array<std::pair<std::string_view, int>, 16> kRlimits = {{
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
}};

inline std::optional<int> RlimitFromName(std::string_view name) {
  for (const auto& [rlimit_name, resource] : kRlimits) {
    if (rlimit_name == name) return resource;
  }
  return std::nullopt;
}

// The name of resource `resource`; empty when unknown. Backed by a literal.
inline std::string_view RlimitName(int resource) {
  for (const auto& [rlimit_name, number] : kRlimits) {
    if (number == resource) return rlimit_name;
  }
  return {};
}

}  // namespace cask
