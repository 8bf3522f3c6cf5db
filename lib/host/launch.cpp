#include "host/launch.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "host/spawn.hpp"
#include "common/step_error.hpp"
#include "common/sync.hpp"
#include "common/text.hpp"

namespace cask {
namespace {

// Kills and reaps init when a launch fails. It shares the record, so the pidfd it
// signals through is still open when it runs, whatever was destroyed before it.
struct LaunchGuard {
  std::shared_ptr<ChildRecord> child;  // reset once init is reaped or handed over
  ~LaunchGuard() {
    if (!child) return;
    syscall(SYS_pidfd_send_signal, child->pidfd.get(), SIGKILL, nullptr, 0);
    while (waitpid(child->pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
};

// As runc's --console-socket: connect to the unix socket and pass the master.
void SendToConsoleSocket(const std::string& path, int master, const std::string& context) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) throw Error(ENAMETOOLONG, context + ": console socket " + path);
  path.copy(addr.sun_path, path.size());
  unique_fd socket_fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket_fd || connect(socket_fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    throw Error(errno, context + ": connect to console socket " + path);
  }
  // runc's format, which OCI front ends read: the master's name as the data, its fd as
  // SCM_RIGHTS.
  char name[] = "/dev/ptmx";
  iovec iov{name, sizeof(name) - 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
  while (sendmsg(socket_fd.get(), &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) throw Error(errno, context + ": send the console to " + path);
  }
}

// Init's marks come with "ready" as [[name, monotonic ns], ...], in the order of time;
// the host's "setup" falls among them.
void RecordInitMarks(PhaseLog& phases, const nlohmann::json& marks) {
  std::lock_guard lock(phases.mutex);
  if (marks.is_array()) {
    for (const auto& mark : marks) {
      const std::chrono::steady_clock::time_point at{std::chrono::nanoseconds(mark.at(1).get<int64_t>())};
      auto after = std::find_if(phases.marks.begin(), phases.marks.end(), [&](const PhaseMark& m) { return m.at > at; });
      phases.marks.insert(after, {mark.at(0).get<std::string>(), at});
    }
  }
  phases.marks.push_back({"ready", std::chrono::steady_clock::now()});
}

}  // namespace

[[noreturn]] void ThrowInitError(const std::string& context, const nlohmann::json& error) {
  const std::string step = error.value("step", std::string("init"));
  throw Error(context, StepError(step, error.value("errno", 0), step + ": " + error.value("message", std::string())));
}

StreamEnds OpenStream(const Stdio& stdio, int number, const std::string& context) {
  StreamEnds ends;
  switch (stdio.kind()) {
    case Stdio::Kind::kInherit: ends.child_fd = number; break;
    case Stdio::Kind::kFd: ends.child_fd = stdio.fd(); break;
    case Stdio::Kind::kNull:
      ends.child.reset(open("/dev/null", (number == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC));
      if (!ends.child) throw Error(errno, context + ": open /dev/null");
      ends.child_fd = ends.child.get();
      break;
    case Stdio::Kind::kPipe: {
      int fds[2];
      if (pipe2(fds, O_CLOEXEC) != 0) throw Error(errno, context + ": pipe");
      unique_fd read_end(fds[0]), write_end(fds[1]);
      ends.child = number == 0 ? std::move(read_end) : std::move(write_end);
      ends.host = number == 0 ? std::move(write_end) : std::move(read_end);
      ends.child_fd = ends.child.get();
      break;
    }
  }
  return ends;
}

std::shared_ptr<ChildRecord> Launch(const FactoryImpl& factory, LaunchRequest& request,
                                    Process& process) {
  const std::string& context = request.context;
  StreamEnds in = OpenStream(process.in, 0, context);
  StreamEnds out = OpenStream(process.out, 1, context);
  StreamEnds err = OpenStream(process.err, 2, context);
  auto [host_socket, init_socket] = SocketPair();
  Channel channel(std::move(host_socket));

  SpawnRequest spawn;
  spawn.init_fd = factory.InitBinaryFd();
  spawn.argv.push_back(factory.init.path);
  spawn.argv.insert(spawn.argv.end(), factory.init.args.begin(), factory.init.args.end());
  spawn.clone_flags = request.clone_flags;
  spawn.stdio[0] = in.child_fd;
  spawn.stdio[1] = out.child_fd;
  spawn.stdio[2] = err.child_fd;
  spawn.sync_fd = init_socket.get();
  spawn.extra_fds = process.extra_fds;
  spawn.gate = static_cast<bool>(request.before_exec);
  spawn.cgroup_fd = request.cgroup_fd ? request.cgroup_fd.get() : -1;
  request.bootstrap.extra_fds = static_cast<int>(process.extra_fds.size());
  std::shared_ptr<const SealedSeccomp> seccomp;
  if (auto& profile = request.bootstrap.config.seccomp) {
    try {
      seccomp = factory.CompiledSeccomp(*profile);
    } catch (const StepError& e) {
      throw Error(context, e);
    }
    request.bootstrap.seccomp_flags = seccomp->flags;
    profile.reset();  // init gets the program, not the profile
  }

  request.bootstrap.record_phases = static_cast<bool>(request.phases);
  Mark(request.phases, "spawn");
  Spawned spawned = [&] {
    try {
      return factory.init.spawn == InitArgs::Spawn::kForkServer ? factory.fork_server.Spawn(spawn) : Spawn(spawn);
    } catch (const Error& e) {
      throw Error(context, e);
    }
  }();
  if (!spawned.in_cgroup) request.cgroup_fd.reset();
  auto child = std::make_shared<ChildRecord>();
  child->pid = spawned.pid;
  child->pidfd = std::move(spawned.pidfd);
  LaunchGuard guard{child};
  // Only init holds these now: EOF on the socket means init is gone.
  init_socket.reset();
  in.child.reset();
  out.child.reset();
  err.child.reset();

  // Init gone before it was ready: how it ended says more than the socket's EOF or error.
  auto init_ended = [&]() {
    int status = 0;
    std::string how = "died";
    if (waitpid(child->pid, &status, 0) == child->pid) how = DescribeWaitStatus(status);
    guard.child.reset();  // reaped
    return Error(Errc::kInitFailed, context + ": init " + how + " before it was ready");
  };
  // A send to an init that already exited fails with EPIPE (or ECONNRESET, with data
  // unread). What it said before it went (its own error) is still there to be received.
  bool init_gone = false;
  auto send = [&](auto&& action) {
    if (init_gone) return;
    try {
      action();
    } catch (const StepError& e) {
      if (e.error() != EPIPE && e.error() != ECONNRESET) throw Error(context + ": send to init", e);
      init_gone = true;
    }
  };
  if (request.before_exec) {
    request.before_exec(child->pid);
    send([&] { channel.OpenGate(); });
  }
  std::vector<int> fds;  // in this order; init takes them so
  if (request.fifo) fds.push_back(request.fifo.get());
  if (seccomp) fds.push_back(seccomp->code.get());
  for (const unique_fd& tree : request.idmapped_trees) fds.push_back(tree.get());
  send([&] { channel.Send(MessageType::kBootstrap, ToJson(request.bootstrap), fds); });

  for (;;) {
    std::optional<Message> message;
    // An init that died with the bootstrap unread resets the socket. The kernel says so
    // once, before what init sent (its error, if it had one) and the EOF.
    for (bool reset_seen = false;;) {
      try {
        message = channel.Receive();
        break;
      } catch (const StepError& e) {
        if (e.error() != ECONNRESET || reset_seen) throw Error(context + ": receive from init", e);
        reset_seen = true;
      }
    }
    if (!message) throw init_ended();
    switch (message->type) {
      case MessageType::kPid: {
        // The spawned process forked into the pid namespace and is exiting.
        pid_t pid = message->payload.at("pid").get<pid_t>();
        unique_fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
        if (!pidfd) throw Error(errno, context + ": pidfd_open of init");
        while (waitpid(child->pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        child->pid = pid;
        child->pidfd = std::move(pidfd);
        break;
      }
      case MessageType::kNeedSetup:
        if (request.setup) request.setup(child->pid);
        Mark(request.phases, "setup");
        send([&] { channel.Send(MessageType::kSetupDone); });
        if (request.setting_up) request.setting_up(child->pid);
        break;
      case MessageType::kLog:
        factory.Log(message->payload.get<std::string>());
        break;
      case MessageType::kConsole:
        if (message->fds.size() != 1) throw Error(Errc::kInitFailed, context + ": console without its fd");
        if (process.console_socket.empty()) {
          ProcessAccess::SetConsole(process, std::move(message->fds.front()));
        } else {
          SendToConsoleSocket(process.console_socket, message->fds.front().get(), context);
        }
        break;
      case MessageType::kError:
        ThrowInitError(context, message->payload);
      case MessageType::kReady:
        if (request.bootstrap.mode == Bootstrap::Mode::kCreate) {
          if (request.phases) RecordInitMarks(*request.phases, message->payload);
          if (request.bootstrap.record_phases || request.bootstrap.process_at_start) {
            request.init_channel = channel.Release();
          }
        }
        if (request.bootstrap.mode == Bootstrap::Mode::kExec) {
          send([&] { channel.Send(MessageType::kStart); });
          // EOF: the exec closed init's socket. Or an error: the exec failed.
          auto result = channel.Receive();
          if (result && result->type == MessageType::kError) ThrowInitError(context, result->payload);
        }
        guard.child.reset();
        ProcessAccess::Attach(process, child);
        ProcessAccess::SetPipes(process, std::move(in.host), std::move(out.host), std::move(err.host));
        return child;
      default:
        throw Error(Errc::kInitFailed, context + ": unexpected message from init");
    }
  }
}

}  // namespace cask
