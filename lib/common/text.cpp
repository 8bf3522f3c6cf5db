#include "common/text.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "cask/unique_fd.hpp"

namespace cask {

bool ReadWholeFile(const std::string& path, std::string& out) {
  unique_fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  return fd && ReadAllFrom(fd.get(), out);
}

bool ReadAllFrom(int fd, std::string& out) {
  out.clear();
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<size_t>(n));
  }
}

std::vector<std::string_view> SplitText(std::string_view text, char sep) {
  std::vector<std::string_view> pieces;
  if (text.empty()) return pieces;
  for (;;) {
    size_t end = text.find(sep);
    pieces.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return pieces;
    text.remove_prefix(end + 1);
  }
}

std::vector<std::string_view> TextLines(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return SplitText(text, '\n');
}

std::string DescribeWaitStatus(int status) {
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace cask
