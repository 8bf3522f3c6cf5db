#include "common/mountinfo.hpp"

#include <cerrno>
#include <charconv>

#include "common/step_error.hpp"
#include "common/text.hpp"

namespace cask {
namespace {

// Undoes the kernel's octal escapes ("\040" for a space) in paths.
std::string Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
        s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    if (end > pos) fields.push_back(line.substr(pos, end - pos));
    pos = end + 1;
  }
  return fields;
}

// A decimal field of `line`; a malformed one is the step's error, never stoi's exceptions.
template <class T>
T Number(std::string_view field, std::string_view line) {
  T value{};
  const char* end = field.data() + field.size();
  auto [stop, ec] = std::from_chars(field.data(), end, value);
  if (ec != std::errc() || stop != end) ThrowStep("mountinfo", "malformed mountinfo number: " + std::string(line));
  return value;
}

}  // namespace

bool MountInfo::HasOption(std::string_view option) const {
  std::string_view rest = options;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    if (rest.substr(0, comma) == option) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

std::vector<MountInfo> ParseMountInfo(std::string_view text) {
  std::vector<MountInfo> mounts;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty()) continue;
    std::vector<std::string_view> f = Fields(line);
    size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (dash + 2 >= f.size()) {
      ThrowStep("mountinfo", "malformed mountinfo line: " + std::string(line));
    }
    MountInfo m;
    m.id = Number<int>(f[0], line);
    m.parent_id = Number<int>(f[1], line);
    size_t colon = f[2].find(':');
    if (colon == std::string_view::npos) {
      ThrowStep("mountinfo", "malformed mountinfo device: " + std::string(line));
    }
    m.major = Number<unsigned>(f[2].substr(0, colon), line);
    m.minor = Number<unsigned>(f[2].substr(colon + 1), line);
    m.root = Unescape(f[3]);
    m.mount_point = Unescape(f[4]);
    m.options = std::string(f[5]);
    for (size_t i = 6; i < dash; ++i) {
      if (!m.optional.empty()) m.optional += ' ';
      m.optional += f[i];
    }
    m.fs_type = std::string(f[dash + 1]);
    m.source = Unescape(f[dash + 2]);
    if (dash + 3 < f.size()) m.super_options = std::string(f[dash + 3]);
    mounts.push_back(std::move(m));
  }
  return mounts;
}

std::vector<MountInfo> ReadMountInfo(const std::string& path) {
  std::string text;
  if (!ReadWholeFile(path, text)) ThrowErrno("mountinfo", "read " + path);
  return ParseMountInfo(text);
}

}  // namespace cask
