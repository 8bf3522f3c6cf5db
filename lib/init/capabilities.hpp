// The five capability sets, applied with libcap inside init.
#pragma once

#include <cask/config.hpp>

namespace cask {

// Drops every capability not in caps.bounding from the bounding set. Needs
// CAP_SETPCAP, so it runs before the user change.
void DropBoundingSet(const Capabilities& caps);
// Sets effective, permitted and inheritable, then the ambient set (cleared first).
// Runs after the user change (with PR_SET_KEEPCAPS, which KeepCapabilities sets).
void ApplyCapabilities(const Capabilities& caps);
void KeepCapabilities(bool keep);

}  // namespace cask
