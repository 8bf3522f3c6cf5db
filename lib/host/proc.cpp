#include "host/proc.hpp"

#include <cask/error.hpp>
#include <cask/unique_fd.hpp>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>
#include <fmt/format.h>

#include "common/text.hpp"

namespace cask {

unique_fd OpenInit(const State& state) {
  unique_fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, state.init_pid, 0)));
  if (!pidfd || !IsSameLiveProcess(state.init_pid, state.init_start_time)) return unique_fd();
  return pidfd;
}

uint64_t ProcessStartTime(pid_t pid) {
  std::string stat;
  if (!ReadWholeFile(fmt::format("/proc/{}/stat", pid), stat)) return 0;
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

void WriteIdMap(pid_t pid, const char* file, const std::vector<IdMapping>& mappings,
                const std::string& context) {
  std::string text;
  for (const auto& m : mappings) {
    text += fmt::format("{} {} {}\n", m.container_id, m.host_id, m.size);
  }
  std::string path = fmt::format("/proc/{}/{}", pid, file);
  unique_fd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd || write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    throw Error(errno, context + ": write " + file);
  }
}

}  // namespace cask
