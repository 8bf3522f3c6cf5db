// Where init finds the sync socket (sync.hpp): spawn puts it there, init moves it away.
#pragma once

namespace cask {

// The fd number init finds the sync socket at, and the environment variable naming it.
constexpr int kSyncFd = 3;
constexpr const char* kSyncFdEnv = "_CASK_SYNC_FD=3";
// In the environment of the Factory's fork server (init/fork_server.hpp): the socket
// at kSyncFd carries requests to clone an init, not a bootstrap.
constexpr const char* kForkServerEnvName = "_CASK_FORK_SERVER";
constexpr const char* kForkServerEnv = "_CASK_FORK_SERVER=1";

}  // namespace cask
