#pragma once

#include <cask/config.hpp>

#include <vector>

namespace cask {

// setrlimit for each; raising a hard limit needs CAP_SYS_RESOURCE, which this
// machine's bounding set lacks, so the error says which limit.
void ApplyRlimits(const std::vector<Rlimit>& rlimits);

}  // namespace cask
