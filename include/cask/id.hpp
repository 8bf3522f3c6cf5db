// Container ids: they name a state directory and a cgroup, so they must be one safe
// path component.
#pragma once

#include <string>
#include <string_view>

#include "cask/error.hpp"

namespace cask {

// Longer than any id a runtime or engine hands out (64 hex digits) and far below
// NAME_MAX (255), so "<id>" still fits a file name with a suffix.
inline constexpr std::size_t kMaxIdLength = 128;

// Throws Error(Errc::kInvalidId) unless `id` is 1..kMaxIdLength characters from
// [A-Za-z0-9_+.-] (runc's set) and does not start with '.' or '-' (no ".", "..", hidden
// names, or ids that read as command-line options).
inline void ValidateId(std::string_view id) {
  auto fail = [&](const std::string& reason) {
    throw Error(Errc::kInvalidId, "invalid container id \"" + std::string(id) + "\": " + reason);
  };
  if (id.empty()) fail("empty");
  if (id.size() > kMaxIdLength) {
    fail("longer than " + std::to_string(kMaxIdLength) + " characters");
  }
  if (id == "." || id == "..") fail("not a name");
  if (id.front() == '.' || id.front() == '-') fail("starts with '" + std::string(1, id.front()) + "'");
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '+' || c == '-' || c == '.';
    if (c == '/') fail("contains '/'");
    if (!ok) fail("contains a character outside [A-Za-z0-9_+.-]");
  }
}

}  // namespace cask
