#include "init/rlimits.hpp"

#include <cask/rlimits.hpp>
#include <sys/resource.h>

#include "common/step_error.hpp"

namespace cask {

void ApplyRlimits(const std::vector<Rlimit>& rlimits) {
  for (const auto& limit : rlimits) {
    auto resource = RlimitFromName(limit.type);
    if (!resource) ThrowStep("rlimits", "unknown rlimit \"" + limit.type + "\"", EINVAL);
    rlimit value{limit.soft, limit.hard};
    if (setrlimit(static_cast<__rlimit_resource>(*resource), &value) != 0) {
      ThrowErrno("rlimits", "set " + limit.type + " to " + std::to_string(limit.soft) + "/" +
                                std::to_string(limit.hard));
    }
  }
}

}  // namespace cask
