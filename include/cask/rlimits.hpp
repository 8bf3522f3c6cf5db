// Resource limit names ("RLIMIT_NOFILE") and their numbers.
#pragma once

#include <sys/resource.h>

#include <optional>
#include <string_view>

namespace cask {

struct RlimitName {
  std::string_view name;
  int resource;
};

inline constexpr RlimitName kRlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

inline std::optional<int> RlimitFromName(std::string_view name) {
  for (const auto& r : kRlimits) {
    if (r.name == name) return r.resource;
  }
  return std::nullopt;
}

inline std::string_view RlimitName(int resource) {
  for (const auto& r : kRlimits) {
    if (r.resource == resource) return r.name;
  }
  return "RLIMIT_UNKNOWN";
}

}  // namespace cask
