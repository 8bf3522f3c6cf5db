// A process's exit status read through its pidfd by any process, not only its parent
// (PIDFD_GET_INFO with PIDFD_INFO_EXIT, Linux 6.15): how a watcher in another process
// learns how a container's init ended.
#pragma once

#include <cask/process.hpp>

#include <optional>

namespace cask {

// Whether this kernel answers PIDFD_GET_INFO (Linux 6.13): such a kernel also wakes a
// pidfd's pollers with POLLHUP when the process is reaped, after which the status
// can be read (from 6.15 on).
bool PidfdHasInfo(int pidfd);

// The exit status of the process once it has been reaped; nullopt before that, or on
// a kernel without PIDFD_INFO_EXIT.
std::optional<ExitStatus> PidfdExitStatus(int pidfd);

}  // namespace cask
