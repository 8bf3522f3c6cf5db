// A process in a container: what to run (ProcessConfig), its stdio, and, once started,
// its pid, exit status and signals.
#pragma once

#include <cask/config.hpp>
#include <cask/unique_fd.hpp>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace cask {

// Where one of a process's standard streams goes.
class Stdio {
 public:
  enum class Kind { kInherit, kNull, kPipe, kFd };
  static Stdio Inherit() { return Stdio(Kind::kInherit, -1); }
  static Stdio Null() { return Stdio(Kind::kNull, -1); }
  static Stdio Pipe() { return Stdio(Kind::kPipe, -1); }
  // The caller keeps ownership of fd; it must stay open until the process has started.
  static Stdio Fd(int fd) { return Stdio(Kind::kFd, fd); }
  Kind kind() const { return kind_; }
  int fd() const { return fd_; }

 private:
  Stdio(Kind kind, int fd) : kind_(kind), fd_(fd) {}
  Kind kind_;
  int fd_;
};

// How a process ended: an exit code, or the signal that killed it.
struct ExitStatus {
  int code = 0;
  int signal = 0;
  bool Signaled() const { return signal != 0; }
  // The shell's convention: the code, or 128 + the signal.
  int ShellCode() const { return Signaled() ? 128 + signal : code; }
  bool operator==(const ExitStatus&) const = default;
};

struct ChildRecord;  // shared with the Factory, which may reap the process on Destroy

class Process : public ProcessConfig {
 public:
  Process() = default;
  explicit Process(ProcessConfig config) : ProcessConfig(std::move(config)) {}

  Stdio in = Stdio::Inherit();
  Stdio out = Stdio::Inherit();
  Stdio err = Stdio::Inherit();
  std::vector<int> extra_fds;  // appear in the process as fds 3, 4, ... in this order
  // With `terminal`: send the pty master to this unix socket (as runc's
  // --console-socket) instead of keeping it in Console().
  std::string console_socket;

  // After Create/Run/Exec:
  pid_t Pid() const;
  ExitStatus Wait();           // blocks until the process has ended
  void Signal(int signal) const;
  // The host ends of Stdio::Pipe() streams (-1 when not a pipe). Closing InPipe gives
  // the payload EOF; CloseIn() does that.
  int InPipe() const { return in_pipe_.get(); }
  int OutPipe() const { return out_pipe_.get(); }
  int ErrPipe() const { return err_pipe_.get(); }
  void CloseIn() { in_pipe_.reset(); }
  // The master of the process's terminal (-1 without one); Resize sets its size, which
  // the payload sees as SIGWINCH.
  int Console() const { return console_.get(); }
  void Resize(uint16_t rows, uint16_t cols) const;

 private:
  friend struct ProcessAccess;
  std::shared_ptr<ChildRecord> child_;
  unique_fd in_pipe_;
  unique_fd out_pipe_;
  unique_fd err_pipe_;
  unique_fd console_;
};

}  // namespace cask
