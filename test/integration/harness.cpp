#include "harness.hpp"

#include <fcntl.h>
#include <linux/loop.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace cask::test {
namespace {

std::string MakeStateRoot() {
  char dir[] = "/tmp/cask-state-XXXXXX";
  if (mkdtemp(dir) == nullptr) throw Error(errno, "mkdtemp");
  return dir;
}

}  // namespace

std::string ReadAll(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string Trimmed(const std::string& path) {
  std::string text = ReadFile(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

bool UnifiedHost() {
  struct statfs fs {};
  return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

std::string CgroupDir(const std::map<std::string, std::string>& paths, const std::string& controller) {
  return paths.at(UnifiedHost() ? "" : controller);
}

LoopDevice::LoopDevice(uint64_t size) {
  char file[] = "/var/tmp/cask-loop-XXXXXX";
  unique_fd fd(mkstemp(file));
  if (!fd) throw Error(errno, "mkstemp");
  file_ = file;
  try {
    Attach(fd.get(), size);
  } catch (...) {
    unlink(file);
    throw;
  }
}

void LoopDevice::Attach(int fd, uint64_t size) {
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) throw Error(errno, "ftruncate " + file_);
  unique_fd control(open("/dev/loop-control", O_RDWR | O_CLOEXEC));
  if (!control) throw Error(errno, "/dev/loop-control");
  // LOOP_CTL_GET_FREE and LOOP_SET_FD race with other users of loop devices: try again.
  for (int attempt = 0; attempt < 10 && path_.empty(); ++attempt) {
    const int n = ioctl(control.get(), LOOP_CTL_GET_FREE);
    if (n < 0) throw Error(errno, "LOOP_CTL_GET_FREE");
    const std::string path = "/dev/loop" + std::to_string(n);
    unique_fd loop(open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!loop) throw Error(errno, path);
    if (ioctl(loop.get(), LOOP_SET_FD, fd) == 0) {
      struct stat st {};
      if (fstat(loop.get(), &st) != 0) throw Error(errno, "fstat " + path);
      path_ = path;
      major_ = major(st.st_rdev);
      minor_ = minor(st.st_rdev);
    } else if (errno != EBUSY) {
      throw Error(errno, "LOOP_SET_FD " + path);
    }
  }
  if (path_.empty()) throw Error(EBUSY, "no free loop device");
}

LoopDevice::~LoopDevice() {
  if (unique_fd loop(open(path_.c_str(), O_RDWR | O_CLOEXEC)); loop) ioctl(loop.get(), LOOP_CLR_FD, 0);
  unlink(file_.c_str());
}

std::string NewId(const std::string& stem) {
  static std::atomic<int> counter{0};
  return "cask-" + stem + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

std::optional<std::string> ErrorWithin(std::chrono::seconds limit, const std::function<void()>& work) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw Error(errno, "pipe");
  unique_fd read_end(fds[0]), write_end(fds[1]);
  pid_t child = fork();
  if (child < 0) throw Error(errno, "fork");
  if (child == 0) {
    std::string message;
    try {
      work();
    } catch (const std::exception& e) {
      message = e.what();
    }
    (void)!write(write_end.get(), message.data(), message.size());
    _exit(0);
  }
  write_end.reset();
  unique_fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, child, 0)));
  if (!pidfd) throw Error(errno, "pidfd_open");
  pollfd p{pidfd.get(), POLLIN, 0};
  int ready;
  while ((ready = poll(&p, 1, static_cast<int>(limit.count() * 1000))) < 0 && errno == EINTR) {
  }
  if (ready == 0) kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  if (ready == 0) return std::nullopt;
  return ReadAll(read_end.get());
}

NetnsHolder::NetnsHolder() {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) throw Error(errno, "pipe");
  pid_ = fork();
  if (pid_ < 0) throw Error(errno, "fork");
  if (pid_ == 0) {
    if (unshare(CLONE_NEWNET) != 0) _exit(1);
    (void)!write(ready[1], "x", 1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char byte;
  bool ok = read(ready[0], &byte, 1) == 1;
  close(ready[0]);
  if (!ok) throw Error(Errc::kInitFailed, "the network namespace holder failed");
}

NetnsHolder::~NetnsHolder() {
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

Harness::Harness()
    : state_root_(MakeStateRoot()), factory_(Factory::New(state_root_, InitArgs{CASK_INIT_BUILD_PATH, {"init"}})) {}

Harness::~Harness() { std::filesystem::remove_all(state_root_); }

Config Harness::BaseConfig() const {
  Config config = DefaultConfig();
  config.root.path = rootfs_.Path();
  config.process.args = {"/probe"};
  return config;
}

RunResult Harness::Collect(Process& process) {
  RunResult result;
  // Both pipes at once, so a full stderr pipe cannot block a payload writing stdout.
  pollfd fds[2] = {{process.OutPipe(), POLLIN, 0}, {process.ErrPipe(), POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 0;
  for (auto& p : fds) open_count += p.fd >= 0;
  char buf[65536];
  while (open_count > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw Error(errno, "poll");
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  result.status = process.Wait();
  return result;
}

RunResult Harness::Run(const Config& config, std::vector<std::string> args) {
  Process process(config.process);
  if (!args.empty()) process.args = std::move(args);
  process.out = Stdio::Pipe();
  process.err = Stdio::Pipe();
  ScopedContainer container(factory_.Run(NewId("run"), config, process));
  return Collect(process);
}

ProgramChild::ProgramChild(const std::vector<std::string>& args, const std::string& cwd, const char* program,
                           int in)
    : out_(memfd_create("nsinit-out", MFD_CLOEXEC)), err_(memfd_create("nsinit-err", MFD_CLOEXEC)) {
  if (!out_ || !err_) throw Error(errno, "memfd_create");
  std::vector<char*> argv = {const_cast<char*>(program)};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw Error(errno, "fork");
  if (pid_ == 0) {
    if (in >= 0) dup2(in, 0);
    dup2(out_.get(), 1);
    dup2(err_.get(), 2);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    execv(program, argv.data());
    _exit(127);
  }
}

ProgramChild::~ProgramChild() {
  if (pid_ < 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

ProgramResult ProgramChild::Wait() {
  int status = 0;
  if (waitpid(pid_, &status, 0) != pid_) throw Error(errno, "waitpid");
  pid_ = -1;
  ProgramResult result;
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  lseek(out_.get(), 0, SEEK_SET);
  lseek(err_.get(), 0, SEEK_SET);
  result.out = ReadAll(out_.get());
  result.err = ReadAll(err_.get());
  return result;
}

ProgramResult Nsinit(const std::vector<std::string>& args, const std::string& cwd) {
  return ProgramChild(args, cwd).Wait();
}

ConsoleSocket::ConsoleSocket(std::string path)
    : path_(std::move(path)), listener_(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path_.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
  if (bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(listener_.get(), 1) != 0) {
    throw Error(errno, "listen on " + path_);
  }
}

unique_fd ConsoleSocket::Receive(std::string& name) const {
  unique_fd conn(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) throw Error(errno, "accept on " + path_);
  char data[4096] = {};
  iovec iov{data, sizeof(data) - 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  if (recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC) <= 0) throw Error(errno, "recvmsg on " + path_);
  name = data;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  if (cmsg == nullptr || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
    throw Error(EPROTO, "the console socket got no single fd");
  }
  int fd;
  std::memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
  return unique_fd(fd);
}

ProgramResult Cask(const std::vector<std::string>& args, const std::string& cwd) {
  return ProgramChild(args, cwd, CASK_RUNTIME_PATH).Wait();
}

}  // namespace cask::test
