// Terminals as a person uses them (nsinit exec --tty driven through tmux: keys in, the
// screen read back) and through the API; large and closed pipes without a terminal.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "eventually.hpp"
#include "harness.hpp"

using cask::test::Eventually;
using cask::test::Harness;
using cask::test::NewId;

namespace {

std::string Shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), pipe)) > 0;) out.append(buf, n);
  pclose(pipe);
  return out;
}

// A tmux server of the test's own (its own socket), killed at the end; then it waits
// until nsinit lists no container in `root` (its panes' nsinits got SIGHUP, passed it on,
// and destroy their containers). The server daemonized: the host's init reaps it and
// its panes' orphans.
class Tmux {
 public:
  explicit Tmux(std::string root) : socket_("cask-test-" + std::to_string(getpid())), root_(std::move(root)) {}
  ~Tmux() {
    if (std::system(("tmux -L " + socket_ + " kill-server 2>/dev/null").c_str()) != 0) return;
    Eventually(
        [&] {
          return Shell(std::string(CASK_NSINIT_PATH) + " --root " + root_ + " list --format json") == "[]\n";
        },
        std::chrono::seconds(10));
  }
  void Run(const std::string& args) {
    REQUIRE(std::system(("tmux -L " + socket_ + " " + args).c_str()) == 0);
  }
  void Keys(const std::string& window, const std::string& keys) {
    Run("send-keys -t " + window + " " + keys);
  }
  std::string Screen(const std::string& window) {
    return Shell("tmux -L " + socket_ + " capture-pane -p -t " + window);
  }
  // Waits until the window's screen shows `text` a `count`th time.
  bool Shows(const std::string& window, const std::string& text, int count = 1) {
    return Eventually(
        [&] {
          std::string screen = Screen(window);
          int seen = 0;
          for (auto at = screen.find(text); at != std::string::npos; at = screen.find(text, at + 1)) ++seen;
          return seen >= count;
        },
        std::chrono::seconds(10));
  }

 private:
  std::string socket_;
  std::string root_;
};

std::string Quote(const std::string& s) { return "'" + s + "'"; }

}  // namespace

TEST_CASE("nsinit exec --tty is a real terminal", "[terminal][nsinit]") {
  Harness h;
  const std::string root = h.state_root() + "/nsinit";
  const std::string marks = h.state_root() + "/marks";
  std::filesystem::create_directories(marks);
  const std::string id = NewId("tty");
  const std::string nsinit = std::string(CASK_NSINIT_PATH) + " --root " + root + " exec --tty --id " + id;
  Tmux tmux(root);
  // The pane records the host terminal's mode before and after, and nsinit's exit code.
  tmux.Run("new-session -d -x 100 -y 30 " +
           Quote("stty -g > " + marks + "/before; " + nsinit + " --rootfs " + h.rootfs().Path() +
                 " /bin/sh; echo $? > " + marks + "/code; stty -g > " + marks + "/after; sleep 60"));
  // (capture-pane trims the prompt's trailing space)
  REQUIRE(tmux.Shows(":0", "/ #"));

  tmux.Keys(":0", "'tty; stty size' Enter");
  CHECK(tmux.Shows(":0", "/dev/pts/0"));
  CHECK(tmux.Shows(":0", "30 100"));
  tmux.Run("resize-window -t :0 -x 120 -y 40");
  tmux.Keys(":0", "'stty size' Enter");
  CHECK(tmux.Shows(":0", "40 120"));

  // Ctrl-C reaches the foreground job, not the shell.
  tmux.Keys(":0", "'sleep 60' Enter");
  tmux.Keys(":0", "C-c");
  tmux.Keys(":0", "'echo still-here' Enter");
  CHECK(tmux.Shows(":0", "still-here", 2));

  // A second exec with the same id joins the container and sees the first shell.
  tmux.Run("new-window " + Quote(nsinit + " /bin/sh; sleep 60"));
  REQUIRE(tmux.Shows(":1", "/ #"));
  tmux.Keys(":1", "'ps -o pid,args' Enter");
  CHECK(tmux.Shows(":1", "    1 /bin/sh"));
  tmux.Keys(":1", "'exit' Enter");

  tmux.Keys(":0", "'exit 3' Enter");
  REQUIRE(Eventually(
      [&] {
        std::error_code ec;
        auto size = std::filesystem::file_size(marks + "/after", ec);
        return !ec && size > 0;
      },
      std::chrono::seconds(10)));
  std::ifstream code(marks + "/code");
  int exit_code = -1;
  code >> exit_code;
  CHECK(exit_code == 3);
  std::ifstream before(marks + "/before"), after(marks + "/after");
  std::string mode_before, mode_after;
  std::getline(before, mode_before);
  std::getline(after, mode_after);
  CHECK(mode_before == mode_after);
  CHECK(Shell(std::string(CASK_NSINIT_PATH) + " --root " + root + " list --format json") == "[]\n");
}

TEST_CASE("a terminal process through the API: size resize and AttachTerminal", "[terminal]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  cask::Process process(config.process);
  process.terminal = true;
  process.console_size = cask::ConsoleSize{33, 77};
  process.args = {"/bin/sh"};
  cask::ScopedContainer c(h.factory().Create(NewId("term"), config, process));
  REQUIRE(process.Console() >= 0);
  process.Resize(35, 90);
  c->Start();
  // AttachTerminal with pipes for the host side: the script, then EOF.
  int in[2], out[2];
  REQUIRE(pipe(in) == 0);
  REQUIRE(pipe(out) == 0);
  const std::string script = "stty size; tty\nexit 4\n";
  REQUIRE(write(in[1], script.data(), script.size()) == static_cast<ssize_t>(script.size()));
  close(in[1]);
  cask::AttachTerminal(process, in[0], out[1]);
  close(in[0]);
  close(out[1]);
  std::string screen = cask::test::ReadAll(out[0]);
  close(out[0]);
  CHECK(screen.find("35 90") != std::string::npos);
  CHECK(screen.find("/dev/pts/0") != std::string::npos);
  CHECK(process.Wait().code == 4);
}

TEST_CASE("100 MB through a stdout pipe arrives whole and stdin EOF ends cat", "[terminal]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  cask::Process big(config.process);
  // A known pattern, so that every byte can be checked.
  big.args = {"/bin/sh", "-c", "yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ | head -c 100000000"};
  big.out = cask::Stdio::Pipe();
  cask::ScopedContainer c(h.factory().Run(NewId("big"), config, big));
  const std::string line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n";
  size_t total = 0, wrong = 0;
  char buf[65536];
  for (ssize_t n; (n = read(big.OutPipe(), buf, sizeof(buf))) > 0; total += static_cast<size_t>(n)) {
    for (ssize_t i = 0; i < n; ++i) wrong += buf[i] != line[(total + static_cast<size_t>(i)) % line.size()];
  }
  CHECK(total == 100000000u);
  CHECK(wrong == 0u);
  CHECK(big.Wait().code == 0);

  cask::Process cat(config.process);
  cat.args = {"/bin/cat"};
  cat.in = cask::Stdio::Pipe();
  cat.out = cask::Stdio::Pipe();
  cask::ScopedContainer c2(h.factory().Run(NewId("cat"), config, cat));
  REQUIRE(write(cat.InPipe(), "through\n", 8) == 8);
  cat.CloseIn();
  CHECK(cask::test::ReadAll(cat.OutPipe()) == "through\n");
  CHECK(cat.Wait().code == 0);
}

TEST_CASE("the console socket receives a working master in runc's format", "[terminal]") {
  Harness h;
  const cask::test::ConsoleSocket socket(h.state_root() + "/console.sock");

  cask::Config config = h.BaseConfig();
  cask::Process process(config.process);
  process.terminal = true;
  process.console_socket = socket.Path();
  process.args = {"/bin/sh", "-c", "tty; echo from-the-pty"};
  cask::ScopedContainer c(h.factory().Create(NewId("csock"), config, process));
  CHECK(process.Console() == -1);  // it went to the socket instead

  std::string name;
  cask::unique_fd master = socket.Receive(name);
  CHECK(name == "/dev/ptmx");

  c->Start();
  std::string screen;
  char buf[4096];
  for (ssize_t n; (n = read(master.get(), buf, sizeof(buf))) > 0;) screen.append(buf, static_cast<size_t>(n));
  CHECK(screen.find("/dev/pts/0") != std::string::npos);
  CHECK(screen.find("from-the-pty") != std::string::npos);
  CHECK(process.Wait().code == 0);
}

TEST_CASE("nsinit passes the signals it receives on to the payload", "[terminal][nsinit]") {
  Harness h;
  const std::string root = h.state_root() + "/nsinit";
  const std::string id = NewId("sig");
  pid_t nsinit = fork();
  REQUIRE(nsinit >= 0);
  if (nsinit == 0) {
    // The payload is the container's pid 1, which only gets the signals it handles.
    execl(CASK_NSINIT_PATH, CASK_NSINIT_PATH, "--root", root.c_str(), "exec", "--id", id.c_str(), "--rootfs",
          h.rootfs().Path().c_str(), "--", "/bin/sh", "-c", "trap 'exit 7' TERM; touch /dev/shm/trapped; while :; do sleep 0.05; done",
          nullptr);
    _exit(127);
  }
  // Signalled only once the trap is set.
  REQUIRE(Eventually([&] {
    std::string state = Shell(std::string(CASK_NSINIT_PATH) + " --root " + root + " state " + id + " 2>/dev/null");
    if (state.empty()) return false;
    auto pid = nlohmann::json::parse(state)["init_pid"].get<int>();
    return std::filesystem::exists("/proc/" + std::to_string(pid) + "/root/dev/shm/trapped");
  }));
  REQUIRE(kill(nsinit, SIGTERM) == 0);
  int status = 0;
  REQUIRE(waitpid(nsinit, &status, 0) == nsinit);
  REQUIRE(WIFEXITED(status));  // nsinit itself was not killed by the signal
  CHECK(WEXITSTATUS(status) == 7);
  CHECK(Shell(std::string(CASK_NSINIT_PATH) + " --root " + root + " list --format json") == "[]\n");
}

TEST_CASE("Ctrl-C in nsinit exec --tty --init ends a command that ignores it as pid 1", "[terminal][nsinit]") {
  Harness h;
  const std::string root = h.state_root() + "/nsinit";
  const std::string marks = h.state_root() + "/marks";
  std::filesystem::create_directories(marks);
  const std::string nsinit = std::string(CASK_NSINIT_PATH) + " --root " + root + " exec --tty --rootfs " +
                             h.rootfs().Path();
  Tmux tmux(root);
  tmux.Run("new-session -d -x 100 -y 30 " +
           Quote(nsinit + " --init -- /bin/sh -c \"echo ready; exec sleep 100\"; echo $? > " + marks +
                 "/code; sleep 60"));
  REQUIRE(tmux.Shows(":0", "ready"));
  tmux.Keys(":0", "C-c");
  REQUIRE(Eventually(
      [&] {
        std::error_code ec;
        return std::filesystem::file_size(marks + "/code", ec) > 0 && !ec;
      },
      std::chrono::seconds(10)));
  std::ifstream code(marks + "/code");
  int exit_code = -1;
  code >> exit_code;
  CHECK(exit_code == 128 + SIGINT);
  CHECK(Shell(std::string(CASK_NSINIT_PATH) + " --root " + root + " list --format json") == "[]\n");
}
