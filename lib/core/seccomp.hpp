// Loading a seccomp filter with libseccomp: the last step before the payload's exec.
#pragma once

#include <cask/config.hpp>

namespace cask {

// Builds and loads the filter. Syscall names this kernel and architecture do not know
// are skipped, as runc does; unknown actions, operators and architectures are errors
// (StepError "seccomp").
void LoadSeccomp(const Seccomp& profile);

}  // namespace cask
