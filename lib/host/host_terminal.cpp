#include <cask/error.hpp>
#include <cask/terminal.hpp>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <atomic>
#include <cerrno>

namespace cask {
namespace {

// The write end of the pipe that SIGWINCH pokes while a terminal is attached.
std::atomic<int> winch_pipe{-1};

void OnWinch(int) {
  int saved = errno;
  int fd = winch_pipe.load();
  if (fd >= 0) (void)!write(fd, "w", 1);
  errno = saved;
}

// SIGWINCH, turned into a readable pipe for the attachment's lifetime.
class WinchPipe {
 public:
  WinchPipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw Error(errno, "attach terminal: pipe");
    read_ = unique_fd(fds[0]);
    write_ = unique_fd(fds[1]);
    winch_pipe = write_.get();
    struct sigaction action {};
    action.sa_handler = OnWinch;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGWINCH, &action, &previous_);
  }
  ~WinchPipe() {
    sigaction(SIGWINCH, &previous_, nullptr);
    winch_pipe = -1;
  }
  WinchPipe(const WinchPipe&) = delete;
  WinchPipe& operator=(const WinchPipe&) = delete;
  int fd() const { return read_.get(); }
  void Drain() const {
    char buf[64];
    while (read(read_.get(), buf, sizeof(buf)) > 0) {
    }
  }

 private:
  unique_fd read_;
  unique_fd write_;
  struct sigaction previous_ {};
};

// Raw mode on a terminal, undone by the destructor; nothing on a non-terminal.
class RawMode {
 public:
  explicit RawMode(int fd) : fd_(fd) {
    if (!isatty(fd) || tcgetattr(fd, &saved_) != 0) return;
    termios raw = saved_;
    cfmakeraw(&raw);
    if (tcsetattr(fd, TCSANOW, &raw) != 0) throw Error(errno, "attach terminal: raw mode");
    active_ = true;
  }
  ~RawMode() {
    if (active_) tcsetattr(fd_, TCSANOW, &saved_);
  }
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd p{fd, POLLOUT, 0};
        poll(&p, 1, -1);
        continue;
      }
      throw Error(errno, "attach terminal: write");
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// Gives the pty the size of whichever host fd is a terminal.
void CopySize(const Process& process, int in, int out) {
  winsize ws{};
  if ((ioctl(in, TIOCGWINSZ, &ws) == 0 || ioctl(out, TIOCGWINSZ, &ws) == 0) && ws.ws_row != 0) {
    process.Resize(ws.ws_row, ws.ws_col);
  }
}

}  // namespace

void AttachTerminal(const Process& process, int in, int out) {
  const int master = process.Console();
  if (master < 0) throw Error(Errc::kBadState, "attach terminal: the process has no terminal");
  WinchPipe winch;
  RawMode raw(in);
  CopySize(process, in, out);
  bool in_open = true;
  char buf[65536];
  for (;;) {
    pollfd fds[3] = {{master, POLLIN, 0}, {winch.fd(), POLLIN, 0}, {in_open ? in : -1, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      throw Error(errno, "attach terminal: poll");
    }
    if (fds[1].revents != 0) {
      winch.Drain();
      CopySize(process, in, out);
    }
    if (fds[0].revents != 0) {
      ssize_t n = read(master, buf, sizeof(buf));
      if (n > 0) {
        WriteAll(out, buf, static_cast<size_t>(n));
      } else if (n == 0 || errno == EIO) {
        return;  // every holder of the pty's other side has closed it
      } else if (errno != EINTR && errno != EAGAIN) {
        throw Error(errno, "attach terminal: read the pty");
      }
    }
    if (fds[2].revents != 0) {
      ssize_t n = read(in, buf, sizeof(buf));
      if (n > 0) {
        WriteAll(master, buf, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        in_open = false;
        const char eof = 4;  // ^D: the line discipline's EOF, as a person would type it
        if (!isatty(in)) WriteAll(master, &eof, 1);
      }
    }
  }
}

}  // namespace cask
