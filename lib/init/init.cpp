// Container init: runs inside the container's namespaces, sets the container up as the
// bootstrap says, reports ready, waits at the barrier and execs the payload.
#include <cask/init.hpp>
#include <cask/namespaces.hpp>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/bootstrap.hpp"
#include "init/capabilities.hpp"
#include "init/exec_path.hpp"
#include "init/fork_server.hpp"
#include "common/hooks.hpp"
#include "init/namespaces_enter.hpp"
#include "init/phase_marks.hpp"
#include "init/pid1.hpp"
#include "init/proc_write.hpp"
#include "init/rlimits.hpp"
#include "init/scheduling.hpp"
#include "init/rootfs.hpp"
#include "common/seccomp.hpp"
#include "common/step_error.hpp"
#include "common/sync.hpp"
#include "init/terminal.hpp"
#include "common/text.hpp"
#include "common/user.hpp"
#include "net/net.hpp"

namespace cask {
namespace {

template <typename T>
T Or(const std::optional<T>& process_value, const T& container_value) {
  return process_value ? *process_value : container_value;
}

// The container-wide part: runs once, in create mode.
void SetUpContainer(const Bootstrap& b, bool in_user_namespace, std::vector<unique_fd> idmapped_trees) {
  const Config& config = b.config;
  const auto create_container_hooks = [&] {
    // Hooks in the container's namespaces get its pid as the container sees it (runtime-spec).
    RunHooks(config.hooks.create_container, HookState(b.id, "creating", getpid(), config), "create_container");
  };
  // SetupRootfs applies the sysctls itself, before /proc/sys turns read-only.
  if (config.HasNamespace(NamespaceType::kMount)) {
    SetupRootfs(config, in_user_namespace, create_container_hooks, std::move(idmapped_trees));
  } else {
    ApplySysctl(config.sysctl);
    create_container_hooks();
  }
  if (!config.hostname.empty() && sethostname(config.hostname.data(), config.hostname.size()) != 0) {
    ThrowErrno("hostname", "sethostname " + config.hostname);
  }
  if (!config.domainname.empty() &&
      setdomainname(config.domainname.data(), config.domainname.size()) != 0) {
    ThrowErrno("hostname", "setdomainname " + config.domainname);
  }
  const Namespace* net = config.FindNamespace(NamespaceType::kNet);
  if (net != nullptr && net->path.empty()) {
    net::LoopbackUp();
    for (const auto& network : config.networks) {
      if (network.type == "veth") net::ConfigureInterface(network);
    }
  }
  MarkPhase("container");
}

// Moves the payload's extra fds from 4.. down to 3.. (dup2 clears close-on-exec).
void ArrangeExtraFds(int count) {
  for (int i = 0; i < count; ++i) {
    if (dup2(kSyncFd + 1 + i, kSyncFd + i) < 0) ThrowErrno("exec", "arrange extra fds");
  }
  if (count > 0 && close(kSyncFd + count) != 0) ThrowErrno("exec", "close extra fd");
}

// A created container may wait long at the barrier: init unmaps the pages of its own
// program's read-only segments (code, constants) from itself. They stay in the page
// cache, shared by every init, and the few that init needs after the barrier fault back
// in. Writable segments, and the relro data within them, keep their pages.
void DropProgramPages() {
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void*) {
        const long page = sysconf(_SC_PAGESIZE);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& segment = info->dlpi_phdr[i];
          if (segment.p_type != PT_LOAD || (segment.p_flags & PF_W) != 0) continue;
          const uintptr_t start = (info->dlpi_addr + segment.p_vaddr) & ~(page - 1);
          const uintptr_t end = info->dlpi_addr + segment.p_vaddr + segment.p_memsz;
          madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);  // only a saving
        }
        return 1;  // the program alone, the first object
      },
      nullptr);
}

// Blocks until Container::Start opens the exec fifo (from any process), then lets it go.
void WaitAtFifo(const unique_fd& fifo) {
  std::string path = "/proc/self/fd/" + std::to_string(fifo.get());
  unique_fd writer(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!writer && errno == ENOENT) {
    // Reopening an O_PATH fd for writing takes /proc: a config without a proc mount
    // (an OCI bundle's "mounts" left out) gets here.
    ThrowStep("start", "open exec fifo through " + path + ": the container has no /proc (mount proc at /proc)", ENOENT);
  }
  if (!writer) ThrowErrno("start", "open exec fifo");
  if (write(writer.get(), "0", 1) != 1) ThrowErrno("start", "write exec fifo");
}

// The bootstrap and the fds that came with it, in the order Launch sends them: the
// exec fifo (create), the seccomp program, the idmapped trees.
struct Received {
  Bootstrap bootstrap;
  unique_fd fifo;
  std::optional<SeccompProgram> seccomp;
  std::vector<unique_fd> idmapped_trees;
};

Received ReceiveBootstrap(Channel& channel) {
  auto message = channel.Receive();
  if (!message || message->type != MessageType::kBootstrap) {
    ThrowStep("bootstrap", "expected the bootstrap message", EPROTO);
  }
  Received r{BootstrapFromJson(message->payload), {}, {}, {}};
  auto fds = message->fds.begin();
  const auto next_fd = [&] {
    if (fds == message->fds.end()) ThrowStep("bootstrap", "an fd is missing", EPROTO);
    return std::move(*fds++);
  };
  if (r.bootstrap.mode == Bootstrap::Mode::kCreate) r.fifo = next_fd();
  if (r.bootstrap.seccomp_flags) r.seccomp = ReadSealedProgram(next_fd().get(), *r.bootstrap.seccomp_flags);
  while (fds != message->fds.end()) r.idmapped_trees.push_back(next_fd());
  return r;
}

// Into the container's namespaces; the host places us in the cgroup and writes the id
// maps meanwhile. Returns with init root of its user namespace, if it has one.
void JoinContainer(const Bootstrap& b, Channel& channel) {
  EnterNamespaces(b, channel);
  MarkPhase("namespaces");
  channel.Send(MessageType::kNeedSetup);
  auto done = channel.Receive();
  if (!done || done->type != MessageType::kSetupDone) ThrowStep("bootstrap", "host went away", EPIPE);
  EnterCgroupNamespace(b);
  if (b.config.HasNamespace(NamespaceType::kUser) && (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0)) {
    ThrowErrno("user", "become root of the user namespace");
  }
}

// The payload as execve gets it.
struct Payload {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<SeccompProgram> seccomp;  // still to load, right before execve
  std::string home;                       // the user's, for an env without HOME
};

// The program, its args and env (with the user's HOME where the env has none).
void NamePayload(Payload& payload, const ProcessConfig& process) {
  payload.path = LookPath(process.args.empty() ? "" : process.args.front(), process.env);
  payload.args = process.args;
  payload.env = process.env;
  bool has_home = false;
  for (const auto& var : payload.env) has_home = has_home || var.rfind("HOME=", 0) == 0;
  if (!has_home) payload.env.push_back("HOME=" + payload.home);
}

// The process's own settings, down to its user and capabilities: everything but the
// wait for start. A terminal's pty goes to the host; in create mode it is also the
// container's /dev/console. With process_at_start, the program is named after the
// barrier, and its cwd entered then.
Payload PrepareProcess(const Bootstrap& b, Channel& channel, std::optional<SeccompProgram> seccomp) {
  const Config& config = b.config;
  const ProcessConfig& process = b.process;
  ApplyRlimits(Or(process.rlimits, config.rlimits));
  if (auto adj = process.oom_score_adj ? process.oom_score_adj : config.oom_score_adj) {
    WriteProcFile("self/oom_score_adj", std::to_string(*adj));
  }
  ApplyScheduling(config, process);
  ExecUser user = LookUpUser(process.user, process.additional_groups);
  if (process.terminal) {
    Pty pty = OpenPty(process.console_size.value_or(ConsoleSize{}));
    if (b.mode == Bootstrap::Mode::kCreate) MountConsole(pty);
    channel.Send(MessageType::kConsole, nullptr, {pty.master.get()});
    BecomeControllingTerminal(pty, user.uid);
  }
  Payload payload{{}, {}, {}, std::move(seccomp), user.home};
  if (!b.process_at_start) NamePayload(payload, process);

  const bool no_new_privileges = Or(process.no_new_privileges, config.no_new_privileges);
  // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while init has it.
  if (payload.seccomp && !no_new_privileges) {
    if (b.mode == Bootstrap::Mode::kCreate) DropProgramPages();  // before the filter: it may refuse madvise
    LoadSeccomp(*payload.seccomp);
    payload.seccomp.reset();
    MarkPhase("seccomp");
  }
  const Capabilities caps = Or(process.capabilities, config.capabilities);
  DropBoundingSet(caps);
  KeepCapabilities(true);
  SetUser(user);
  KeepCapabilities(false);
  if (!b.process_at_start) {
    EnterCwd(process.cwd);
    RequireNoMagicLinks(payload.path);
  }
  ApplyCapabilities(caps);
  if (no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    ThrowErrno("no_new_privileges", "PR_SET_NO_NEW_PRIVS");
  }
  umask(process.umask ? *process.umask : 022);
  MarkPhase("process");
  // A pool's run starts on the clock of its caller: the filter (0.3 ms and more to load)
  // goes on now, and init's steps after the barrier pass it (pool.hpp).
  if (payload.seccomp && b.process_at_start) {
    DropProgramPages();
    LoadSeccomp(*payload.seccomp);
    payload.seccomp.reset();
    MarkPhase("seccomp");
  }
  return payload;
}

// Puts the fds that came with the start on 0, 1, 2 (stdio) and 3.. (extra fds). Each,
// and the socket, goes first above every target, so that no dup2 closes it.
void PlaceStartFds(Channel& channel, std::vector<unique_fd> received) {
  const int targets = static_cast<int>(received.size());
  if (targets < 3) ThrowStep("start", "the start came without the payload's stdio", EPROTO);
  if (channel.fd() < targets) {
    unique_fd moved(fcntl(channel.fd(), F_DUPFD_CLOEXEC, targets));
    if (!moved) ThrowErrno("start", "move the sync socket");
    channel = Channel(std::move(moved));
  }
  std::vector<unique_fd> high;
  for (const unique_fd& fd : received) {
    high.emplace_back(fcntl(fd.get(), F_DUPFD_CLOEXEC, targets));
    if (!high.back()) ThrowErrno("start", "move the payload's fds");
  }
  received.clear();
  for (int i = 0; i < targets; ++i) {
    if (dup2(high[i].get(), i) < 0) ThrowErrno("start", "place the payload's fds");
  }
}

// process_at_start: the program, its env and cwd and its fds, which the host sends
// once it has released the barrier.
void ReceiveProcess(Channel& channel, Bootstrap& b, Payload& payload) {
  auto start = channel.Receive();
  if (!start || start->type != MessageType::kStart) ThrowStep("start", "host went away", EPIPE);
  ProcessConfig& process = b.process;
  process.args = start->payload.at("args").get<std::vector<std::string>>();
  process.env = start->payload.at("env").get<std::vector<std::string>>();
  process.cwd = start->payload.at("cwd").get<std::string>();
  PlaceStartFds(channel, std::move(start->fds));
  EnterCwd(process.cwd);
  NamePayload(payload, process);
  RequireNoMagicLinks(payload.path);
}

[[noreturn]] void Exec(const Bootstrap& b, const Payload& payload, const std::vector<char*>& argv,
                       const std::vector<char*>& envp) {
  ArrangeExtraFds(b.extra_fds);
  if (payload.seccomp) LoadSeccomp(*payload.seccomp);  // last: only execve follows
  if (b.mode == Bootstrap::Mode::kCreate && b.config.init) ForkPayloadUnderPid1(b.process.terminal);
  execve(payload.path.c_str(), argv.data(), envp.data());
  ThrowErrno("exec", "execve " + payload.path);
}

// create: sets the container up, then waits at the exec fifo for Container::Start,
// which may come from any process after the host has gone.
[[noreturn]] void RunCreateInit(Channel& channel, Received r) {
  Bootstrap& b = r.bootstrap;
  JoinContainer(b, channel);
  SetUpContainer(b, b.config.HasNamespace(NamespaceType::kUser), std::move(r.idmapped_trees));
  const bool filtered = r.seccomp.has_value();
  Payload payload = PrepareProcess(b, channel, std::move(r.seccomp));
  if (b.record_phases || b.process_at_start) {
    // The socket stays open: its close on execve tells the host when the payload runs.
    channel.Send(MessageType::kReady, b.record_phases ? PhaseMarks() : nullptr);
  } else {
    channel.Send(MessageType::kReady);
    channel.Release();  // closes: the host is done with us; Start may come from elsewhere
  }
  if (!filtered || payload.seccomp) DropProgramPages();  // else PrepareProcess did, before the filter
  WaitAtFifo(r.fifo);
  r.fifo.reset();
  if (b.process_at_start) ReceiveProcess(channel, b, payload);
  auto argv = CStrings(payload.args);
  auto envp = CStrings(payload.env);
  // startContainer hooks without an env get the payload's, as under runc's init.
  environ = envp.data();
  RunHooks(b.config.hooks.start_container, HookState(b.id, "created", getpid(), b.config), "start_container");
  Exec(b, payload, argv, envp);
}

// exec: a process in a container that is set up; the host says when to start.
[[noreturn]] void RunExecInit(Channel& channel, Received r) {
  const Bootstrap& b = r.bootstrap;
  JoinContainer(b, channel);
  Payload payload = PrepareProcess(b, channel, std::move(r.seccomp));
  channel.Send(MessageType::kReady);
  auto start = channel.Receive();
  if (!start || start->type != MessageType::kStart) ThrowStep("start", "host went away", EPIPE);
  Exec(b, payload, CStrings(payload.args), CStrings(payload.env));
}

// Tells the host why init failed: over the socket while the host listens, else on
// stderr. A host that went away (the socket broken) hears nothing: init exits quietly.
void ReportFailure(const Channel& channel, const std::string& step, int err, const char* what) {
  if (channel.fd() < 0) {
    std::fprintf(stderr, "cask init: %s: %s%s%s\n", step.c_str(), what, err != 0 ? ": " : "",
                 err != 0 ? std::strerror(err) : "");
    return;
  }
  try {
    channel.Send(MessageType::kError, {{"step", step}, {"errno", err}, {"message", what}});
  } catch (const std::exception&) {
  }
}

}  // namespace

void Init(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "init") != 0) return;
  if (std::getenv("_CASK_SYNC_FD") == nullptr) {
    std::fprintf(stderr, "%s init: the entry of a container's init, run by cask only\n", argv[0]);
    std::exit(2);
  }
  if (std::getenv(kForkServerEnvName) != nullptr) {
    unsetenv(kForkServerEnvName);  // the inits it clones start with init's environment
    RunForkServer();
  }
  RunInit();
}

void RunInit() {
  MarkPhase("init");
  // Spawn blocked every signal; the host may ignore some (SIGPIPE, often), which an exec
  // keeps. The payload starts as a fresh process would: default actions, nothing blocked.
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Move the sync socket clear of 3.., where the payload's extra fds go at exec. Fd 3
  // stays open (close-on-exec) so nothing else lands there meanwhile.
  int high = fcntl(kSyncFd, F_DUPFD_CLOEXEC, 64);
  if (high < 0 || fcntl(kSyncFd, F_SETFD, FD_CLOEXEC) != 0) {
    // Said over the socket where it is: a host whose RLIMIT_NOFILE is below 65 (EINVAL).
    const int err = errno;
    ReportFailure(Channel{unique_fd(kSyncFd)}, "init", err,
                  "move the sync socket to fd 64 or above (init needs RLIMIT_NOFILE of 65 or more)");
    _exit(126);
  }
  Channel channel{unique_fd(high)};
  try {
    Received received = ReceiveBootstrap(channel);
    if (received.bootstrap.mode == Bootstrap::Mode::kCreate) RunCreateInit(channel, std::move(received));
    RunExecInit(channel, std::move(received));
  } catch (const StepError& e) {
    ReportFailure(channel, e.step(), e.error(), e.message().c_str());
  } catch (const std::exception& e) {
    ReportFailure(channel, "init", 0, e.what());
  }
  _exit(127);
}

}  // namespace cask
