// The names of process.scheduler, process.ioPriority and linux.personality (runtime-spec
// config.md), with the values sched_setattr(2), ioprio_set(2) and personality(2) take.
// Validate checks names against these tables; init applies the values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace cask {

using NamedValue = std::pair<std::string_view, uint64_t>;

inline constexpr std::array<NamedValue, 6> kSchedulerPolicies = {{
    {"SCHED_OTHER", 0},
    {"SCHED_FIFO", 1},
    {"SCHED_RR", 2},
    {"SCHED_BATCH", 3},
    {"SCHED_IDLE", 5},
    {"SCHED_DEADLINE", 6},
}};

inline constexpr std::array<NamedValue, 7> kSchedulerFlags = {{
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},
    {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},
    {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
}};

inline constexpr std::array<NamedValue, 3> kIoPriorityClasses = {{
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
}};

// PER_LINUX and PER_LINUX32 (sys/personality.h): the spec's two domains.
inline constexpr std::array<NamedValue, 2> kPersonalityDomains = {{
    {"LINUX", 0x0000},
    {"LINUX32", 0x0008},
}};

template <size_t N>
std::optional<uint64_t> ValueOf(const std::array<NamedValue, N>& table, std::string_view name) {
  for (const auto& [known, value] : table) {
    if (known == name) return value;
  }
  return std::nullopt;
}

}  // namespace cask
