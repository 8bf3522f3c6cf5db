// Container ids: they name a directory under the state root, so they are checked.
#pragma once

#include <cask/error.hpp>

#include <string>
#include <string_view>

namespace cask {

inline constexpr size_t kMaxIdLength = 128;

// Letters, digits, '_', '.' and '-' (as runc), not starting with '.' or '-', at most
// kMaxIdLength characters. Throws Error(Errc::kInvalidId) saying why.
inline void ValidateId(std::string_view id) {
  auto fail = [&](const std::string& why) {
    throw Error(Errc::kInvalidId, "invalid container id \"" + std::string(id) + "\": " + why);
  };
  if (id.empty()) fail("it is empty");
  if (id.size() > kMaxIdLength) fail("longer than " + std::to_string(kMaxIdLength) + " characters");
  if (id.front() == '.' || id.front() == '-') fail("it starts with '" + std::string(1, id.front()) + "'");
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-';
    if (!ok) fail(c == '/' ? "it contains '/'" : "only letters, digits, '_', '.' and '-' are allowed");
  }
}

}  // namespace cask
