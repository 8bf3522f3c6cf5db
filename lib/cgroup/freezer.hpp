// Freezing and thawing a cgroup: v1 through freezer.state, v2 through cgroup.freeze.
// Each waits, for a bounded time, until the kernel reports the new state.
#pragma once

#include <string>

namespace cask::cgroup {

void FreezeV1(const std::string& dir);
void ThawV1(const std::string& dir);
bool FrozenV1(const std::string& dir);

void FreezeV2(const std::string& dir);
void ThawV2(const std::string& dir);
bool FrozenV2(const std::string& dir);

}  // namespace cask::cgroup
