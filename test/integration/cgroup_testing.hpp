// Helpers of the tests that drive cgroup managers directly.
#pragma once

#include <catch2/catch.hpp>
#include <exception>
#include <vector>

#include "cgroup/hierarchy.hpp"
#include "cgroup/manager.hpp"

namespace cask::cgroup {

// Destroys a manager at the end of a test, whatever happened.
struct DestroyGuard {
  Manager* manager;
  ~DestroyGuard() {
    try {
      if (manager) manager->Destroy();
    } catch (const std::exception& e) {
      WARN("cleanup: " << e.what());
    }
  }
};

// The first v1 (or cgroup2, with `v2`) hierarchy, or none.
inline const Hierarchy* FindHierarchy(const std::vector<Hierarchy>& hierarchies, bool v2) {
  for (const auto& h : hierarchies) {
    if (h.v2 == v2) return &h;
  }
  return nullptr;
}

}  // namespace cask::cgroup
