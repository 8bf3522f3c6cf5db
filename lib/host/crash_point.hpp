// Crash points: the places where a host that dies (SIGKILL, OOM, power) leaves an
// operation half done, named so that the tests kill a host at each one and show that
// Load + Destroy, or Recover, from another process removes everything. A build with
// -Dcrash_points=true kills the process at the point whose name CASK_CRASH_AT holds; in
// any other build a point is nothing at all.
#pragma once

#ifdef CASK_CRASH_POINTS
#include <signal.h>

#include <cstdlib>
#include <cstring>
#endif

namespace cask {

#ifdef CASK_CRASH_POINTS
inline void CrashPoint(const char* name) {
  const char* at = std::getenv("CASK_CRASH_AT");
  if (at != nullptr && std::strcmp(at, name) == 0) raise(SIGKILL);
}
#else
inline void CrashPoint(const char*) {}
#endif

}  // namespace cask
