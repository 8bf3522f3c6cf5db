// Where init finds the sync socket (sync.hpp): spawn puts it there, init moves it away.
#pragma once

namespace cask {

// The fd number init finds the sync socket at, and the environment variable naming it.
constexpr int kSyncFd = 3;
constexpr const char* kSyncFdEnv = "_CASK_SYNC_FD=3";

}  // namespace cask
