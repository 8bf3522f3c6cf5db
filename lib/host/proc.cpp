#include "host/proc.hpp"

#include <charconv>

#include "common/text.hpp"

namespace cask {

uint64_t ProcessStartTime(pid_t pid) {
  std::string stat;
  if (!ReadWholeFile("/proc/" + std::to_string(pid) + "/stat", stat)) return 0;
  // comm may hold spaces and parentheses: the fields start after the last ')'.
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 > stat.size()) return 0;
  // Field 3 (the state) is the first here; the start time is field 22.
  std::vector<std::string_view> fields = SplitText(std::string_view(stat).substr(close + 2), ' ');
  if (fields.size() < 20 || fields[0] == "Z" || fields[0] == "X") return 0;
  uint64_t start = 0;
  std::from_chars(fields[19].data(), fields[19].data() + fields[19].size(), start);
  return start;
}

}  // namespace cask
