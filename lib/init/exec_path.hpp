#pragma once

#include <cask/unique_fd.hpp>
#include <string>
#include <vector>

namespace cask {

// The file execve will run for args[0]: as given when it holds a '/', else searched in
// the PATH of `env` (or the default PATH). Throws StepError("exec", ENOENT...) naming it.
std::string LookPath(const std::string& name, const std::vector<std::string>& env);

// A cwd or payload reached through a /proc magic link (/proc/self/fd/N, /dev/fd/N,
// /proc/self/cwd) may lead outside the root through an fd, as in CVE-2024-21626: both
// are opened with RESOLVE_NO_MAGICLINKS, and the cwd is entered through its fd.
// Throws StepError "cwd" or "exec" naming the path.
void EnterCwd(const std::string& cwd);
void RequireNoMagicLinks(const std::string& payload);

}  // namespace cask
