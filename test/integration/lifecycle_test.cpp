// The container lifecycle on the real kernel, seen from inside with the probe.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "eventually.hpp"
#include "harness.hpp"
#include "leftovers.hpp"
#include "subreaper.hpp"

using cask::test::Harness;
using cask::test::NetnsHolder;
using cask::test::NewId;

namespace {

uint64_t HostNamespaceInode(const std::string& name) {
  struct stat st {};
  REQUIRE(stat(("/proc/self/ns/" + name).c_str(), &st) == 0);
  return st.st_ino;
}

std::vector<std::string> OpenFds() {
  std::vector<std::string> fds;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    fds.push_back(entry.path().filename().string());
  }
  return fds;
}

bool HasMount(const nlohmann::json& probe, const std::string& point, const std::string& type) {
  for (const auto& m : probe.at("mounts")) {
    if (m.at("mount_point") == point && m.at("fs_type") == type) return true;
  }
  return false;
}

// The Factory keeps one sealed fd per seccomp profile it has compiled: a first container
// makes it, before the tests below count fds.
void WarmUp(Harness& h) { REQUIRE(h.Run(h.BaseConfig()).status.code == 0); }

}  // namespace

TEST_CASE("a new container is pid 1 in new namespaces with its hostname", "[lifecycle]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.hostname = "box";
  config.domainname = "example.test";
  auto result = h.Run(config);
  REQUIRE(result.status == cask::ExitStatus{0, 0});
  auto probe = result.Json();
  CHECK(probe.at("pid") == 1);
  CHECK(probe.at("hostname") == "box");
  CHECK(probe.at("domainname") == "example.test");
  for (const char* ns : {"mnt", "uts", "ipc", "pid", "net", "cgroup"}) {
    INFO(ns);
    CHECK(probe.at("namespaces").at(ns).get<uint64_t>() != HostNamespaceInode(ns));
  }
  CHECK(probe.at("namespaces").at("user").get<uint64_t>() == HostNamespaceInode("user"));
}

TEST_CASE("mounts, devices and a read-only root look right from inside", "[lifecycle]") {
  Harness h;
  auto probe = h.Run(h.BaseConfig()).Json();
  CHECK(HasMount(probe, "/proc", "proc"));
  CHECK(HasMount(probe, "/dev", "tmpfs"));
  CHECK(HasMount(probe, "/dev/pts", "devpts"));
  CHECK(HasMount(probe, "/dev/shm", "tmpfs"));
  CHECK(HasMount(probe, "/dev/mqueue", "mqueue"));
  CHECK(HasMount(probe, "/sys", "sysfs"));
  CHECK(probe.at("root_writable") == false);
  const auto& dev = probe.at("dev");
  auto device = [&](const std::string& name) { return dev.at(name).at("major").get<int>() * 1000 + dev.at(name).at("minor").get<int>(); };
  CHECK(device("null") == 1003);
  CHECK(device("zero") == 1005);
  CHECK(device("full") == 1007);
  CHECK(device("random") == 1008);
  CHECK(device("urandom") == 1009);
  CHECK(device("tty") == 5000);

  cask::Config writable = h.BaseConfig();
  writable.root.readonly = false;
  CHECK(h.Run(writable).Json().at("root_writable") == true);
}

TEST_CASE("users, groups, env, cwd, umask and rlimits are as configured", "[lifecycle]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.process.user = "alice";
  config.process.additional_groups = {"7"};
  config.process.env = {"PATH=/bin", "GREETING=hi there"};
  config.process.cwd = "/tmp";
  config.process.umask = 027;
  config.rlimits = {{"RLIMIT_NOFILE", 512, 768}, {"RLIMIT_CORE", 0, 0}};
  auto probe = h.Run(config).Json();
  CHECK(probe.at("uid") == 1000);
  CHECK(probe.at("gid") == 1000);
  auto groups = probe.at("groups").get<std::vector<int>>();
  CHECK(groups == std::vector<int>{7, 10, 50});
  auto env = probe.at("env").get<std::vector<std::string>>();
  CHECK(std::find(env.begin(), env.end(), "GREETING=hi there") != env.end());
  CHECK(std::find(env.begin(), env.end(), "HOME=/home/alice") != env.end());
  CHECK(probe.at("cwd") == "/tmp");
  CHECK(probe.at("umask") == "0027");
  CHECK(probe.at("rlimits").at("RLIMIT_NOFILE").at("soft") == 512);
  CHECK(probe.at("rlimits").at("RLIMIT_NOFILE").at("hard") == 768);
  CHECK(probe.at("rlimits").at("RLIMIT_CORE").at("hard") == 0);
}

TEST_CASE("the payload starts with no signal blocked or ignored, whatever the host's", "[lifecycle]") {
  Harness h;
  // A host thread that blocks signals and a host that ignores SIGPIPE, as servers do.
  sigset_t blocked, old;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGUSR1);
  sigaddset(&blocked, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &blocked, &old);
  auto old_pipe = signal(SIGPIPE, SIG_IGN);
  auto probe = h.Run(h.BaseConfig()).Json();
  signal(SIGPIPE, old_pipe);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  CHECK(probe.at("signals").at("blocked") == "0000000000000000");
  CHECK(probe.at("signals").at("ignored") == "0000000000000000");
}

TEST_CASE("the five capability sets are as configured", "[lifecycle]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.capabilities.bounding = {"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN"};
  config.capabilities.permitted = {"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN"};
  config.capabilities.effective = {"CAP_KILL", "CAP_CHOWN"};
  config.capabilities.inheritable = {"CAP_NET_BIND_SERVICE"};
  config.capabilities.ambient = {"CAP_NET_BIND_SERVICE"};
  config.no_new_privileges = true;
  auto caps = h.Run(config).Json().at("capabilities");
  using Names = std::vector<std::string>;
  CHECK(caps.at("bounding").get<Names>() == Names{"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  CHECK(caps.at("permitted").get<Names>() == Names{"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  // Root's execve recomputes effective as permitted; ambient is added to both.
  CHECK(caps.at("inheritable").get<Names>() == Names{"CAP_NET_BIND_SERVICE"});
  CHECK(caps.at("ambient").get<Names>() == Names{"CAP_NET_BIND_SERVICE"});

  cask::Config user = config;
  user.process.user = "1000:1000";
  auto user_caps = h.Run(user).Json().at("capabilities");
  // A non-root payload keeps only its ambient capabilities across execve.
  CHECK(user_caps.at("effective").get<Names>() == Names{"CAP_NET_BIND_SERVICE"});
  CHECK(user_caps.at("permitted").get<Names>() == Names{"CAP_NET_BIND_SERVICE"});
  CHECK(user_caps.at("bounding").get<Names>() == Names{"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
}

TEST_CASE("a user namespace maps root inside to the configured uid outside", "[lifecycle]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.namespaces.push_back({cask::NamespaceType::kUser, ""});
  config.uid_mappings = {{0, 100000, 65536}};
  config.gid_mappings = {{0, 100000, 65536}};
  // The rootfs belongs to host root, which is unmapped here: mount it read-only is fine,
  // but the probe must be readable and executable by others (it is).
  cask::Process process(config.process);
  process.args = {"/probe", "sleep", "30"};
  process.out = cask::Stdio::Null();
  cask::ScopedContainer container(h.factory().Run(NewId("userns"), config, process));
  std::ifstream status("/proc/" + std::to_string(process.Pid()) + "/status");
  std::string line, uid_line;
  while (std::getline(status, line)) {
    if (line.rfind("Uid:", 0) == 0) uid_line = line;
  }
  CHECK(uid_line.find("100000") != std::string::npos);

  cask::Process inside(config.process);
  inside.args = {"/probe"};
  inside.out = cask::Stdio::Pipe();
  inside.err = cask::Stdio::Pipe();
  container->Exec(inside);
  auto result = Harness::Collect(inside);
  REQUIRE(result.status.code == 0);
  auto probe = result.Json();
  CHECK(probe.at("uid") == 0);
  CHECK(probe.at("namespaces").at("user").get<uint64_t>() != HostNamespaceInode("user"));
}

TEST_CASE("exit codes and deaths by signal come back", "[lifecycle]") {
  Harness h;
  auto exited = h.Run(h.BaseConfig(), {"/probe", "exit", "42"});
  CHECK(exited.status.code == 42);
  CHECK_FALSE(exited.status.Signaled());

  // Init (pid 1) killed from the host, and an exec'd process that kills itself.
  cask::Config config = h.BaseConfig();
  cask::Process init(config.process);
  init.args = {"/probe", "sleep", "60"};
  cask::ScopedContainer container(h.factory().Run(NewId("signals"), config, init));
  cask::Process suicide(config.process);
  suicide.args = {"/probe", "kill", "9"};
  container->Exec(suicide);
  CHECK(suicide.Wait().signal == SIGKILL);
  container->Signal(SIGKILL);
  auto killed = init.Wait();
  CHECK(killed.signal == SIGKILL);
  CHECK(killed.ShellCode() == 137);
}

TEST_CASE("create, start, exec, signal and destroy walk the states", "[lifecycle]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  cask::Process process(config.process);
  // A namespace's init gets only the signals it handles: this one handles SIGTERM.
  process.args = {"/bin/sh", "-c", "trap 'exit 7' TERM; sleep 60 & wait"};
  process.out = cask::Stdio::Null();
  const std::string id = NewId("states");
  cask::Container container = h.factory().Create(id, config, process);
  CHECK(container.Status() == cask::Status::kCreated);
  CHECK(std::filesystem::exists(h.state_root() + "/" + id + "/state.json"));
  container.Start();
  CHECK(container.Status() == cask::Status::kRunning);
  CHECK_THROWS_WITH(container.Start(), Catch::Contains("is running, not created"));

  cask::Process exec(config.process);
  exec.args = {"/probe"};
  exec.out = cask::Stdio::Pipe();
  exec.err = cask::Stdio::Pipe();
  container.Exec(exec);
  auto joined = Harness::Collect(exec);
  REQUIRE(joined.status.code == 0);
  auto inside = joined.Json();
  CHECK(inside.at("pid") != 1);
  auto pids = container.Processes();
  CHECK(std::find(pids.begin(), pids.end(), process.Pid()) != pids.end());

  // The exec'd process shares every namespace with init.
  for (const char* ns : {"mnt", "uts", "ipc", "pid", "net"}) {
    struct stat init_ns {};
    REQUIRE(stat(("/proc/" + std::to_string(process.Pid()) + "/ns/" + ns).c_str(), &init_ns) == 0);
    CHECK(inside.at("namespaces").at(ns).get<uint64_t>() == init_ns.st_ino);
  }

  container.Signal(SIGTERM);
  CHECK(process.Wait().code == 7);
  CHECK(container.Status() == cask::Status::kStopped);
  container.Destroy();
  container.Destroy();  // again: not an error
  CHECK_FALSE(std::filesystem::exists(h.state_root() + "/" + id));
  CHECK(h.factory().List().empty());
}

TEST_CASE("a container outlives the process that created it and loads elsewhere", "[lifecycle]") {
  Harness h;
  const std::string id = NewId("load");
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  // When the creator exits, init's parent is gone: as a subreaper this test adopts it.
  ScopedSubreaper subreaper;
  pid_t creator = fork();
  REQUIRE(creator >= 0);
  if (creator == 0) {
    try {
      auto factory = cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
      factory.Create(id, config);
      _exit(0);
    } catch (...) {
      _exit(1);
    }
  }
  int status = 0;
  REQUIRE(waitpid(creator, &status, 0) == creator);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  cask::Container container = h.factory().Load(id);
  CHECK(container.Status() == cask::Status::kCreated);
  CHECK(h.factory().List() == std::vector<std::string>{id});
  // Find is Load where the id is there, none where it is not, and refuses a bad id.
  REQUIRE(h.factory().Find(id));
  CHECK(h.factory().Find(id)->Status() == cask::Status::kCreated);
  CHECK_FALSE(h.factory().Find(id + "-never-made"));
  try {
    h.factory().Find("../etc");
    FAIL("found a container named ../etc");
  } catch (const cask::Error& e) {
    CHECK(e.code() == cask::Errc::kInvalidId);
  }
  container.Start();
  CHECK(container.Status() == cask::Status::kRunning);
  pid_t init = container.State().init_pid;
  container.Destroy();
  int init_status = 0;
  REQUIRE(waitpid(init, &init_status, 0) == init);
  CHECK(WIFSIGNALED(init_status));
  CHECK(WTERMSIG(init_status) == SIGKILL);
}

TEST_CASE("a host that dies while init sets up leaves a container that Destroy removes", "[lifecycle]") {
  Harness h;
  const std::string id = NewId("orphan");
  const std::string marks = h.state_root() + "/marks-" + id;
  std::filesystem::create_directories(marks);
  cask::Config config = h.BaseConfig();
  // A create_container hook runs in init, in the middle of its setup (before pivot_root:
  // host paths): it says so, then holds init there while the host is killed.
  config.hooks.create_container.push_back({"/bin/sh", {"sh", "-c", "touch " + marks + "/in-hook; exec sleep 30"}, {}, {}});
  ScopedSubreaper subreaper;  // init is adopted by this test when its host dies
  pid_t host = fork();
  REQUIRE(host >= 0);
  if (host == 0) {
    auto factory = cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
    factory.Create(id, config);
    _exit(0);
  }
  REQUIRE(cask::test::Eventually([&] { return std::filesystem::exists(marks + "/in-hook"); }));
  REQUIRE(kill(host, SIGKILL) == 0);
  REQUIRE(waitpid(host, nullptr, 0) == host);

  REQUIRE(h.factory().List() == std::vector<std::string>{id});
  cask::Container container = h.factory().Load(id);
  const pid_t init = container.State().init_pid;
  container.Destroy();
  REQUIRE(waitpid(init, nullptr, 0) == init);
  CHECK(h.factory().List().empty());
}

TEST_CASE("bad input is a clear error and leaves nothing behind", "[lifecycle]") {
  Harness h;
  WarmUp(h);
  auto before = cask::test::TakeSnapshot();
  cask::Config missing = h.BaseConfig();
  missing.root.path = "/nonexistent/cask-rootfs";
  CHECK_THROWS_WITH(h.factory().Create(NewId("bad"), missing),
                    Catch::Contains("root.path /nonexistent/cask-rootfs: No such file or directory"));

  cask::Config no_payload = h.BaseConfig();
  no_payload.process.args = {"no-such-program"};
  CHECK_THROWS_WITH(h.factory().Create(NewId("bad"), no_payload),
                    Catch::Contains("payload \"no-such-program\": executable file not found in $PATH"));
  cask::Config directory = h.BaseConfig();
  directory.process.args = {"/bin"};
  CHECK_THROWS_WITH(h.factory().Create(NewId("bad"), directory),
                    Catch::EndsWith("exec: payload \"/bin\": Is a directory"));

  cask::Config unknown_user = h.BaseConfig();
  unknown_user.process.user = "mallory";
  CHECK_THROWS_WITH(h.factory().Create(NewId("bad"), unknown_user),
                    Catch::Contains("unknown user \"mallory\""));

  CHECK_THROWS_WITH(h.factory().Create("../escape", h.BaseConfig()), Catch::Contains("id"));

  cask::Config bad_mount = h.BaseConfig();
  bad_mount.mounts.push_back({"none", "/proc/../../x", "tmpfs", {}});
  CHECK_THROWS_AS(h.factory().Create(NewId("bad"), bad_mount), cask::ConfigError);

  const std::string id = NewId("taken");
  cask::Config sleeper = h.BaseConfig();
  sleeper.process.args = {"/probe", "sleep", "60"};
  cask::ScopedContainer first(h.factory().Create(id, sleeper));
  try {
    h.factory().Create(id, sleeper);
    FAIL("a taken id was accepted");
  } catch (const cask::Error& e) {
    CHECK(e.code() == cask::Errc::kExists);
  }
  CHECK(first->Status() == cask::Status::kCreated);
  first->Destroy();

  CHECK(h.factory().List().empty());
  CHECK(cask::test::Leftovers(before).empty());
}

TEST_CASE("joining a network namespace by path", "[lifecycle]") {
  Harness h;
  NetnsHolder holder;
  const std::string path = holder.Path();
  struct stat joined {};
  REQUIRE(stat(path.c_str(), &joined) == 0);
  cask::Config config = h.BaseConfig();
  for (auto& ns : config.namespaces) {
    if (ns.type == cask::NamespaceType::kNet) ns.path = path;
  }
  auto result = h.Run(config);
  REQUIRE(result.status.code == 0);
  auto probe = result.Json();
  CHECK(probe.at("pid") == 1);
  CHECK(probe.at("namespaces").at("net").get<uint64_t>() == joined.st_ino);
  CHECK(probe.at("namespaces").at("uts").get<uint64_t>() != HostNamespaceInode("uts"));
}

TEST_CASE("100 create and destroy cycles leak no fds", "[lifecycle]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "exit", "0"};
  WarmUp(h);
  auto before = OpenFds();
  for (int i = 0; i < 100; ++i) {
    cask::Container c = h.factory().Create(NewId("cycle"), config);
    c.Destroy();
  }
  CHECK(OpenFds() == before);
}

TEST_CASE("20 containers created at once from threads of one Factory", "[lifecycle]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  constexpr int kCount = 20;
  std::vector<std::thread> threads;
  std::vector<int> codes(kCount, -1);
  std::vector<std::string> errors(kCount);
  for (int i = 0; i < kCount; ++i) {
    threads.emplace_back([&, i] {
      try {
        cask::Process process(config.process);
        process.args = {"/probe", "exit", std::to_string(i)};
        cask::ScopedContainer c(h.factory().Run(NewId("par"), config, process));
        codes[i] = process.Wait().code;
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kCount; ++i) {
    INFO(errors[i]);
    CHECK(codes[i] == i);
  }
  CHECK(h.factory().List().empty());
}

TEST_CASE("a veth network connects the container to a namespace of the test", "[lifecycle][network]") {
  Harness h;
  // The host end goes into a namespace the test owns.
  NetnsHolder holder;

  cask::Config config = h.BaseConfig();
  cask::Network veth;
  veth.type = "veth";
  veth.name = "eth0";
  veth.host_name = "cask-v" + std::to_string(getpid() % 100000);
  veth.host_netns = holder.Path();
  veth.address = "10.231.0.2/24";
  veth.host_address = "10.231.0.1/24";
  veth.gateway = "10.231.0.1";
  veth.mtu = 1400;
  config.networks.push_back(veth);
  // busybox's ping needs a raw socket; the sysctl shows a namespaced sysctl applied.
  for (auto* set : {&config.capabilities.bounding, &config.capabilities.effective, &config.capabilities.permitted}) {
    set->push_back("CAP_NET_RAW");
  }
  config.sysctl["net.ipv4.ping_group_range"] = "0 2147483647";
  auto result = h.Run(config, {"/bin/sh", "-c",
                               "ip -o addr show eth0; ip -o link show eth0; ip route;"
                               "cat /proc/sys/net/ipv4/ping_group_range; ping -c 1 -W 5 10.231.0.1"});
  INFO(result.out << result.err);
  CHECK(result.status.code == 0);
  CHECK(result.out.find("10.231.0.2/24") != std::string::npos);
  CHECK(result.out.find("mtu 1400") != std::string::npos);
  CHECK(result.out.find("default via 10.231.0.1") != std::string::npos);
  CHECK(result.out.find("0\t2147483647") != std::string::npos);
  CHECK(result.out.find("1 packets received") != std::string::npos);
}

TEST_CASE("extra fds arrive from fd 3 in order and nothing else crosses", "[lifecycle]") {
  Harness h;
  // A host fd without close-on-exec must not reach the payload.
  int leaked = open("/", O_RDONLY | O_DIRECTORY);
  REQUIRE(leaked >= 0);
  int first[2], second[2];
  REQUIRE(pipe2(first, O_CLOEXEC) == 0);
  REQUIRE(pipe2(second, O_CLOEXEC) == 0);
  cask::Config config = h.BaseConfig();
  cask::Process process(config.process);
  process.args = {"/probe"};
  process.out = cask::Stdio::Pipe();
  process.err = cask::Stdio::Pipe();
  process.extra_fds = {second[1], first[1]};
  cask::ScopedContainer container(h.factory().Run(NewId("fds"), config, process));
  for (int fd : {first[1], second[1], leaked}) close(fd);
  auto result = Harness::Collect(process);
  REQUIRE(result.status.code == 0);
  auto fds = result.Json().at("fds");
  struct stat a {}, b {};
  REQUIRE(fstat(second[0], &a) == 0);
  REQUIRE(fstat(first[0], &b) == 0);
  INFO(fds.dump());
  CHECK(fds.size() == 5);
  CHECK(fds.at("3") == "pipe:[" + std::to_string(a.st_ino) + "]");
  CHECK(fds.at("4") == "pipe:[" + std::to_string(b.st_ino) + "]");
  close(first[0]);
  close(second[0]);
}
