#include "init/capabilities.hpp"

#include <cask/capabilities.hpp>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <memory>

#include "common/step_error.hpp"

namespace cask {
namespace {

constexpr const char* kCapabilitiesStep = "capabilities";

std::vector<cap_value_t> Values(const std::vector<std::string>& names) {
  std::vector<cap_value_t> values;
  for (const auto& name : names) {
    auto value = CapabilityFromName(name);
    // Validate() rejected unknown names; a name this kernel lacks is left out, as runc does.
    if (value && *value <= static_cast<int>(cap_max_bits()) - 1) values.push_back(*value);
  }
  return values;
}

bool Contains(const std::vector<cap_value_t>& values, cap_value_t v) {
  for (auto x : values) {
    if (x == v) return true;
  }
  return false;
}

}  // namespace

void DropBoundingSet(const Capabilities& caps) {
  auto keep = Values(caps.bounding);
  for (cap_value_t cap = 0; cap < static_cast<cap_value_t>(cap_max_bits()); ++cap) {
    if (Contains(keep, cap)) continue;
    if (cap_drop_bound(cap) != 0) {
      ThrowErrno(kCapabilitiesStep, "drop " + std::string(CapabilityName(cap)) + " from the bounding set");
    }
  }
}

void KeepCapabilities(bool keep) {
  if (prctl(PR_SET_KEEPCAPS, keep ? 1 : 0, 0, 0, 0) != 0) ThrowErrno(kCapabilitiesStep, "PR_SET_KEEPCAPS");
}

void ApplyCapabilities(const Capabilities& caps) {
  std::unique_ptr<std::remove_pointer_t<cap_t>, int (*)(void*)> state(cap_init(), cap_free);
  if (!state) ThrowErrno(kCapabilitiesStep, "cap_init");
  auto set = [&](cap_flag_t flag, const std::vector<std::string>& names) {
    auto values = Values(names);
    if (!values.empty() &&
        cap_set_flag(state.get(), flag, static_cast<int>(values.size()), values.data(), CAP_SET) != 0) {
      ThrowErrno(kCapabilitiesStep, "cap_set_flag");
    }
  };
  set(CAP_EFFECTIVE, caps.effective);
  set(CAP_PERMITTED, caps.permitted);
  set(CAP_INHERITABLE, caps.inheritable);
  if (cap_set_proc(state.get()) != 0) ThrowErrno(kCapabilitiesStep, "set effective, permitted and inheritable");
  if (cap_reset_ambient() != 0) ThrowErrno(kCapabilitiesStep, "clear the ambient set");
  for (cap_value_t cap : Values(caps.ambient)) {
    if (cap_set_ambient(cap, CAP_SET) != 0) {
      ThrowErrno(kCapabilitiesStep, "raise ambient " + std::string(CapabilityName(cap)) +
                            " (it must be permitted and inheritable)");
    }
  }
}

}  // namespace cask
