// OCI lifecycle hooks: each runs with the container's state as JSON on its stdin, and
// must exit 0 within its timeout.
#pragma once

#include <cask/config.hpp>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cask {

// The state document hooks read (the OCI runtime-spec's state).
nlohmann::json HookState(const std::string& id, const char* status, pid_t pid, const Config& config);

// Runs each hook in order; throws StepError("hooks", ...) naming the hook that failed. A
// hook without env gets the calling process's environment.
// Safe in a multi-threaded host (posix_spawn) and inside init.
void RunHooks(const std::vector<Hook>& hooks, const nlohmann::json& state, const std::string& kind);

// For the hooks whose failure OCI makes a warning (poststart, poststop): runs every
// hook, and passes what each failure says to `warn`.
void RunHooksWarning(const std::vector<Hook>& hooks, const nlohmann::json& state, const std::string& kind,
                     const std::function<void(const std::string&)>& warn);

}  // namespace cask
