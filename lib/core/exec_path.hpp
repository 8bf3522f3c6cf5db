#pragma once

#include <string>
#include <vector>

namespace cask {

// The file execve will run for args[0]: as given when it holds a '/', else searched in
// the PATH of `env` (or the default PATH). Throws StepError("exec", ENOENT...) naming it.
std::string LookPath(const std::string& name, const std::vector<std::string>& env);

}  // namespace cask
