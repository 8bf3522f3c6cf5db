#include "common/hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cask/unique_fd.hpp>

#include "common/step_error.hpp"
#include "common/text.hpp"

namespace cask {
namespace {

// What a hook wrote to one of its streams, for its error as runc gives it. A memfd,
// not a pipe: nothing has to drain it while the hook runs, and a hook that leaves a
// child holding it does not keep us waiting for EOF.
unique_fd OutputFile(const std::string& what) {
  unique_fd fd(memfd_create("cask-hook-output", MFD_CLOEXEC));
  if (!fd) ThrowErrno("hooks", what + ": memfd_create");
  return fd;
}

// The first 4 KiB that the hook wrote on `fd`, without a last newline: enough to say
// why it failed without putting a chatty hook's whole log into one error line.
std::string OutputText(const unique_fd& fd) {
  constexpr size_t kMax = 4096;
  std::string text(kMax + 1, '\0');
  ssize_t n = pread(fd.get(), text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  if (text.size() > kMax) text.replace(kMax, std::string::npos, "...");
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// ", stdout: ..., stderr: ..." for the streams that the hook wrote something on.
std::string OutputSuffix(const unique_fd& out, const unique_fd& err) {
  std::string suffix;
  for (auto [name, fd] : {std::pair{"stdout", &out}, std::pair{"stderr", &err}}) {
    std::string text = OutputText(*fd);
    if (!text.empty()) suffix += std::string(", ") + name + ": " + text;
  }
  return suffix;
}

void RunHook(const Hook& hook, const std::string& input, const std::string& what) {
  // A socket rather than a pipe: send() with MSG_NOSIGNAL survives a hook that never
  // reads its stdin, without touching the host's SIGPIPE disposition.
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) ThrowErrno("hooks", what + ": socketpair");
  unique_fd read_end(fds[0]), write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  unique_fd out = OutputFile(what), err_out = OutputFile(what);
  posix_spawn_file_actions_adddup2(&actions, read_end.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_out.get(), 2);
  std::vector<std::string> args = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  auto argv = CStrings(args);
  auto envp = CStrings(hook.env);
  // Without an env of its own a hook gets the caller's, as runc's do (Go's nil Env):
  // hooks from podman's hooks.d often rely on PATH.
  char* const* env = hook.env.empty() ? environ : envp.data();
  // Nothing blocked: a host that holds signals for a while (nsinit, cask) does not pass
  // that on to its hooks.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid;
  int err = posix_spawn(&pid, hook.path.c_str(), &actions, &attr, argv.data(), env);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) ThrowStep("hooks", what + ": spawn " + hook.path, err);
  read_end.reset();
  (void)!send(write_end.get(), input.data(), input.size(), MSG_NOSIGNAL);
  write_end.reset();

  // The pidfd turns readable when the hook exits: a wait with a timeout.
  unique_fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  int ready = 1;
  if (pidfd && hook.timeout) {
    pollfd p{pidfd.get(), POLLIN, 0};
    while ((ready = poll(&p, 1, *hook.timeout * 1000)) < 0 && errno == EINTR) {
    }
  }
  if (ready == 0) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (ready == 0) {
    ThrowStep("hooks", what + ": " + hook.path + " ran past its timeout of " + std::to_string(*hook.timeout) + "s" +
                           OutputSuffix(out, err_out));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ThrowStep("hooks", what + ": " + hook.path + " " + DescribeWaitStatus(status) + OutputSuffix(out, err_out));
  }
}

}  // namespace

nlohmann::json HookState(const std::string& id, const char* status, pid_t pid, const Config& config) {
  return {{"ociVersion", "1.2.0"}, {"id", id}, {"status", status}, {"pid", pid},
          {"bundle", config.bundle.empty() ? config.root.path : config.bundle}, {"annotations", config.labels}};
}

void RunHooks(const std::vector<Hook>& hooks, const nlohmann::json& state, const std::string& kind) {
  const std::string input = state.dump();
  for (size_t i = 0; i < hooks.size(); ++i) {
    RunHook(hooks[i], input, kind + " hook " + std::to_string(i));
  }
}

void RunHooksWarning(const std::vector<Hook>& hooks, const nlohmann::json& state, const std::string& kind,
                     const std::function<void(const std::string&)>& warn) {
  const std::string input = state.dump();
  for (size_t i = 0; i < hooks.size(); ++i) {
    try {
      RunHook(hooks[i], input, kind + " hook " + std::to_string(i));
    } catch (const StepError& e) {
      warn(e.what());
    }
  }
}

}  // namespace cask
