// The cask program as podman, docker and containerd call it (../shared/OCI-RUNTIME.md):
// real bundles, real containers, the contract's words, codes and files.
#include <cask/cask.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "bundle.hpp"
#include "eventually.hpp"
#include "harness.hpp"
#include "leftovers.hpp"
#include "subreaper.hpp"

namespace {

using cask::test::Bundle;
using cask::test::Cask;
using cask::test::NewId;
using cask::test::ProgramResult;
using cask::test::ReadFile;

bool Alive(pid_t pid) { return pid > 0 && cask::test::ProcessAlive(pid); }

}  // namespace

TEST_CASE("cask: create, start, state, kill and delete through every status", "[oci]") {
  Bundle b(R"({"process": {"args": ["/probe", "sleep", "100"]}})");
  const std::string id = NewId("life");
  const std::string pid_file = b.Dir() + "/init.pid";
  auto create = b.Run({"create", "--bundle", b.Dir(), "--pid-file", pid_file, id});
  REQUIRE(create.code == 0);
  CHECK(create.out.empty());
  CHECK(create.err.empty());  // success is silent: conmon puts cask's stderr in the log
  const std::string pid_text = ReadFile(pid_file);
  CHECK(std::regex_match(pid_text, std::regex("[0-9]+")));  // no newline: go-runc's Atoi
  const pid_t pid = std::stoi(pid_text);
  CHECK(Alive(pid));

  auto state = b.Run({"state", id});
  CHECK(state.err.empty());
  CHECK(state.out.back() == '}');
  nlohmann::json json = nlohmann::json::parse(state.out);
  CHECK(json["status"] == "created");
  CHECK(json["pid"] == pid);
  CHECK(json["bundle"] == b.Dir());
  CHECK(json["rootfs"] == b.Rootfs());
  CHECK(json["owner"] == "");
  CHECK(std::regex_match(json["created"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")));

  CHECK(b.Run({"start", id}).code == 0);
  CHECK(b.State(id)["status"] == "running");
  auto again = b.Run({"start", id});
  CHECK(again.code == 1);
  CHECK(again.err.find("cannot start an already running container") != std::string::npos);
  auto busy = b.Run({"delete", id});
  CHECK(busy.code == 1);
  CHECK(busy.err.find("cannot delete container " + id + " that is not stopped: running") != std::string::npos);

  CHECK(b.Run({"kill", id, "KILL"}).code == 0);
  CHECK(cask::test::Eventually([&] { return b.State(id)["status"] == "stopped"; }));
  CHECK(b.State(id)["pid"] == 0);
  auto dead = b.Run({"kill", id, "9"});
  CHECK(dead.code == 1);
  CHECK(dead.err.find("container not running") != std::string::npos);
  CHECK(b.Run({"kill", "--all", id, "9"}).code == 0);  // the shim's kill after init's exit
  auto stopped_start = b.Run({"start", id});
  CHECK(stopped_start.err.find("cannot start a container that has stopped") != std::string::npos);

  CHECK(b.Run({"delete", id}).code == 0);
  auto gone = b.Run({"state", id});
  CHECK(gone.code == 1);
  CHECK(gone.out.empty());
  CHECK(gone.err.find("container does not exist") != std::string::npos);
  CHECK(b.Run({"delete", id}).err.find("container does not exist") != std::string::npos);
  CHECK(b.Run({"delete", "--force", id}).code == 0);
  CHECK(b.Run({"kill", id, "9"}).err.find("container does not exist") != std::string::npos);
}

TEST_CASE("cask: delete of a created container kills its init, without --force", "[oci]") {
  Bundle b;
  const std::string id = NewId("created");
  REQUIRE(b.Run({"create", "--pid-file", b.Dir() + "/pid", id}).code == 0);
  const pid_t pid = std::stoi(ReadFile(b.Dir() + "/pid"));
  CHECK(b.Run({"delete", id}).code == 0);
  CHECK(cask::test::Eventually([&] { return !Alive(pid); }));
}

TEST_CASE("cask run: the payload sees the bundle's settings, and its status is cask's", "[oci]") {
  Bundle b(R"({"hostname": "from-bundle",
               "process": {"args": ["/probe"], "cwd": "/tmp", "env": ["PATH=/bin", "FROM=bundle"],
                           "user": {"uid": 1000, "gid": 1000, "additionalGids": [50]},
                           "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 333, "hard": 444}]}})");
  const std::string id = NewId("run");
  auto run = b.Run({"run", id});
  REQUIRE(run.code == 0);
  const auto seen = nlohmann::json::parse(run.out);
  CHECK(seen["hostname"] == "from-bundle");
  CHECK(seen["cwd"] == "/tmp");
  CHECK(seen["uid"] == 1000);
  CHECK(seen["gid"] == 1000);
  CHECK(seen["groups"] == nlohmann::json::array({50}));
  CHECK(seen["env"].dump().find("FROM=bundle") != std::string::npos);
  CHECK(seen["rlimits"]["RLIMIT_NOFILE"]["soft"] == 333);
  CHECK(seen["rlimits"]["RLIMIT_NOFILE"]["hard"] == 444);

  b.Write(R"({"process": {"args": ["/probe", "exit", "7"]}})");
  CHECK(b.Run({"run", NewId("code")}).code == 7);
}

TEST_CASE("cask run --keep leaves the stopped container for delete", "[oci]") {
  Bundle b(R"({"process": {"args": ["/probe", "exit", "3"]}})");
  const std::string id = NewId("keep");
  CHECK(b.Run({"run", "--keep", id}).code == 3);
  CHECK(b.State(id)["status"] == "stopped");
  CHECK(b.Run({"delete", id}).code == 0);
}

TEST_CASE("cask exec: detached and not, exit codes, and 255 for a failed exec", "[oci]") {
  Bundle b(R"({"process": {"args": ["/probe", "sleep", "100"]}})");
  const std::string id = NewId("exec");
  REQUIRE(b.Run({"run", "--detach", id}).code == 0);
  auto out = b.Run({"exec", id, "/bin/sh", "-c", "echo exec-ok; exit 4"});
  CHECK(out.out == "exec-ok\n");
  CHECK(out.code == 4);
  CHECK(b.Run({"exec", id, "/bin/sh", "-c", "kill -9 $$"}).code == 137);

  // The shim's and conmon's form: a process file, --detach, a pid file.
  std::ofstream(b.Dir() + "/process.json")
      << R"({"args": ["/probe", "sleep", "100"], "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}})";
  const std::string pid_file = b.Dir() + "/exec.pid";
  auto detached = b.Run({"exec", "--process", b.Dir() + "/process.json", "--detach", "--pid-file", pid_file, id});
  CHECK(detached.code == 0);
  CHECK(detached.err.empty());
  const pid_t pid = std::stoi(ReadFile(pid_file));
  CHECK(Alive(pid));
  const auto ps = nlohmann::json::parse(b.Run({"ps", "--format", "json", id}).out);
  CHECK(std::find(ps.begin(), ps.end(), pid) != ps.end());
  CHECK(ps.size() == 2);

  auto missing = b.Run({"exec", id, "/no/such/cmd"});
  CHECK(missing.code == 255);
  CHECK(missing.err.find("executable file not found") != std::string::npos);
  CHECK(b.State(id)["status"] == "running");  // a failed exec does not harm the container
  auto bad_file = b.Run({"exec", "--process", b.Dir() + "/none.json", "--detach", id});
  CHECK(bad_file.code == 255);

  CHECK(b.Run({"kill", id, "9"}).code == 0);
  CHECK(cask::test::Eventually([&] { return b.State(id)["status"] == "stopped"; }));
  auto late = b.Run({"exec", id, "/bin/true"});
  CHECK(late.code == 255);
  CHECK(late.err.find("cannot exec in a stopped container") != std::string::npos);
  CHECK(b.Run({"delete", id}).code == 0);
}

TEST_CASE("cask pause and resume; update from stdin", "[oci]") {
  Bundle b(R"({"process": {"args": ["/probe", "sleep", "100"]}})");
  const std::string id = NewId("pause");
  REQUIRE(b.Run({"run", "-d", id}).code == 0);
  CHECK(b.Run({"resume", id}).err.find("container not paused") != std::string::npos);
  CHECK(b.Run({"pause", id}).code == 0);
  CHECK(b.State(id)["status"] == "paused");
  auto exec = b.Run({"exec", id, "/bin/true"});
  CHECK(exec.code == 255);
  CHECK(exec.err.find("paused") != std::string::npos);
  CHECK(b.Run({"resume", id}).code == 0);
  CHECK(b.State(id)["status"] == "running");

  // containerd's form: `update --resources - ID`, the JSON on stdin; zero is unchanged.
  std::ofstream(b.Dir() + "/resources.json") << R"({"pids": {"limit": 33}, "cpu": {"shares": 0}})";
  cask::unique_fd in(open((b.Dir() + "/resources.json").c_str(), O_RDONLY | O_CLOEXEC));
  auto update = cask::test::ProgramChild({"--root", b.Root(), "update", "--resources", "-", id}, b.Dir(),
                                         CASK_RUNTIME_PATH, in.get())
                    .Wait();
  CHECK(update.code == 0);
  CHECK(update.err.empty());
  const cask::State state = cask::Factory::New(b.Root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}}).Load(id).State();
  CHECK(cask::test::Trimmed(state.cgroup_paths.at("pids") + "/pids.max") == "33");

  CHECK(b.Run({"kill", id, "9"}).code == 0);
  CHECK(b.Run({"delete", "--force", id}).code == 0);
  CHECK(b.Run({"pause", id}).err.find("container does not exist") != std::string::npos);
}

TEST_CASE("cask: the console socket gets the pty master; terminal and socket must agree", "[oci]") {
  Bundle b(R"({"process": {"terminal": true, "args": ["/bin/sh", "-c", "tty; echo from-the-pty"]}})");
  const cask::test::ConsoleSocket socket(b.Dir() + "/console.sock");
  const std::string id = NewId("tty");
  auto create = b.Run({"create", "--console-socket", socket.Path(), id});
  REQUIRE(create.code == 0);  // sent before cask exits: the receiver accepts afterwards
  std::string name;
  cask::unique_fd master = socket.Receive(name);
  CHECK(name == "/dev/ptmx");
  CHECK(b.Run({"start", id}).code == 0);
  std::string screen;
  char buf[4096];
  for (ssize_t n; (n = read(master.get(), buf, sizeof(buf))) > 0;) screen.append(buf, static_cast<size_t>(n));
  CHECK(screen.find("/dev/pts/0") != std::string::npos);
  CHECK(screen.find("from-the-pty") != std::string::npos);
  CHECK(cask::test::Eventually([&] { return b.State(id)["status"] == "stopped"; }));
  CHECK(b.Run({"delete", id}).code == 0);

  auto no_socket = b.Run({"create", NewId("nosock")});
  CHECK(no_socket.code == 1);
  CHECK(no_socket.err.find("--console-socket") != std::string::npos);
  b.Write(R"({"process": {"terminal": false}})");
  auto no_tty = b.Run({"create", "--console-socket", socket.Path(), NewId("notty")});
  CHECK(no_tty.code == 1);
  CHECK(no_tty.err.find("process.terminal is false") != std::string::npos);
}

TEST_CASE("cask: --preserve-fds passes fds on, and no other fd reaches the container", "[oci]") {
  Bundle b;
  const std::string command = "exec 3</etc/hostname 4</etc/hostname 9</etc/hostname; exec " +
                              std::string(CASK_RUNTIME_PATH) + " --root " + b.Root() + " run --preserve-fds 1 " +
                              NewId("fds");
  auto run = cask::test::ProgramChild({"-c", command}, b.Dir(), "/bin/sh").Wait();
  REQUIRE(run.code == 0);
  const auto fds = nlohmann::json::parse(run.out)["fds"];
  CHECK(fds.contains("3"));
  CHECK(!fds.contains("4"));
  CHECK(!fds.contains("9"));
  auto missing = b.Run({"run", "--preserve-fds", "40", NewId("nofd")});
  CHECK(missing.code == 1);
  CHECK(missing.err.find("--preserve-fds: fd") != std::string::npos);
}

TEST_CASE("cask: the log file gets exactly one error line, stderr the message", "[oci]") {
  Bundle b;
  const std::string log = b.Dir() + "/log.json";
  // podman's form, and a repeated --log (docker's runtimeArgs wrapper): the last wins.
  auto ok = b.Run({"--log", b.Dir() + "/first.json", "--log-format=json", "--log", log, "list"});
  CHECK(ok.code == 0);
  CHECK(std::filesystem::exists(log));  // created even on success, and left empty
  CHECK(ReadFile(log).empty());

  auto failed = b.Run({"--log-format", "json", "--log", log, "create", "--bundle", b.Dir() + "/nothere", NewId("nob")});
  CHECK(failed.code == 1);
  const std::string text = ReadFile(log);
  REQUIRE(std::count(text.begin(), text.end(), '\n') == 1);
  const auto line = nlohmann::json::parse(text);
  CHECK(line["level"] == "error");
  CHECK(std::regex_match(line["time"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  CHECK(line["msg"].get<std::string>().find("config.json") != std::string::npos);
  CHECK(failed.err == line["msg"].get<std::string>() + "\n");

  // An argument error is logged too.
  const std::string log2 = b.Dir() + "/log2.json";
  auto bad_flag = b.Run({"--log", log2, "--log-format", "json", "create", "--no-such-flag", "x"});
  CHECK(bad_flag.code == 1);
  CHECK(nlohmann::json::parse(ReadFile(log2))["level"] == "error");
  // Without --log, stderr gets the text line.
  auto text_line = b.Run({"state", "nothere"});
  CHECK(text_line.err.find("level=error msg=\"container does not exist\"") != std::string::npos);
}

TEST_CASE("cask: bad bundles are refused clearly and leave nothing", "[oci]") {
  Bundle b;
  const auto before = cask::test::TakeSnapshot();
  const std::string id = NewId("bad");
  auto none = b.Run({"create", "--bundle", b.Dir() + "/empty", id});
  CHECK(none.code == 1);
  CHECK(none.err.find("read " + b.Dir() + "/empty/config.json: no such file or directory") != std::string::npos);

  std::ofstream(b.Dir() + "/config.json") << "{\"ociVersion\": ";
  auto bad_json = b.Run({"create", id});
  CHECK(bad_json.code == 1);
  CHECK(bad_json.err.find("config.json is not valid JSON") != std::string::npos);

  b.Write(R"({"root": {"path": "/no/such/rootfs"}})");
  auto no_root = b.Run({"create", id});
  CHECK(no_root.code == 1);
  CHECK(no_root.err.find("/no/such/rootfs") != std::string::npos);

  b.Write(R"({"linux": {"intelRdt": {"closID": "x"}}})");
  auto rdt = b.Run({"create", id});
  CHECK(rdt.err.find("linux.intelRdt: ") != std::string::npos);

  b.Write(R"({"mounts": null})");  // no /proc: init cannot reopen its exec fifo
  auto no_proc = b.Run({"run", id});
  CHECK(no_proc.code == 1);
  CHECK(no_proc.err.find("the container has no /proc (mount proc at /proc)") != std::string::npos);

  b.Write("{}");
  auto systemd = b.Run({"--systemd-cgroup", "create", id});
  CHECK(systemd.code == 1);
  CHECK(systemd.err.find("--systemd-cgroup: ") != std::string::npos);

  b.Write(R"({"process": {"args": ["/no/such/cmd"]}})");
  auto missing = b.Run({"create", id});
  CHECK(missing.code == 1);
  CHECK(missing.err.find("executable file not found") != std::string::npos);  // clients' 127
  CHECK(cask::test::Leftovers(before).empty());

  b.Write(R"({"process": {"args": ["/probe", "sleep", "100"]}})");
  REQUIRE(b.Run({"create", id}).code == 0);
  auto taken = b.Run({"create", id});
  CHECK(taken.code == 1);
  CHECK(taken.err.find("exists") != std::string::npos);
  CHECK(b.State(id)["status"] == "created");  // the first one is untouched
  CHECK(b.Run({"delete", id}).code == 0);
}

TEST_CASE("cask: --version in runc's shape; checkpoint is absent; spec writes a bundle", "[oci]") {
  Bundle b;
  auto version = Cask({"--version"});
  CHECK(version.code == 0);
  CHECK(std::regex_search(version.out, std::regex("^cask version [0-9.]+\ncommit: .+\nspec: 1\\.")));
  CHECK(Cask({"checkpoint", "--help"}).code != 0);  // podman's probe for checkpointing

  const std::string dir = b.Dir() + "/spec";
  std::filesystem::create_directory(dir);
  CHECK(Cask({"spec", "--bundle", dir}).code == 0);
  const cask::Config spec = cask::oci::ReadBundle(dir);
  CHECK(spec.root.path == dir + "/rootfs");
  CHECK(spec.process.terminal);
  CHECK(Cask({"spec", "--bundle", dir}).err.find("exists") != std::string::npos);
}

TEST_CASE("cask: hooks run where and when the runtime-spec says, with the state on stdin", "[oci]") {
  Bundle b;
  // Each hook writes its name, its mount namespace and its stdin to a file named after it.
  const std::string script = b.Dir() + "/hook.sh";
  std::ofstream(script) << "#!/bin/sh\n{ echo \"$1\"; readlink /proc/self/ns/mnt; cat; } > \"$2/hook-$1\"\n";
  chmod(script.c_str(), 0755);
  auto hook = [&](const char* kind, const std::string& out_dir) {
    return nlohmann::json{{"path", script}, {"args", {"hook.sh", kind, out_dir}}};
  };
  nlohmann::json patch = {{"root", {{"readonly", false}}},
                          {"process", {{"args", {"/probe", "sleep", "100"}}}},
                          {"annotations", {{"org.test", "yes"}}}};
  patch["hooks"] = {{"prestart", {hook("prestart", b.Dir())}},
                    {"createRuntime", {hook("createRuntime", b.Dir())}},
                    {"createContainer", {hook("createContainer", b.Dir())}},
                    {"poststart", {hook("poststart", b.Dir())}},
                    {"poststop", {hook("poststop", b.Dir())}}};
  // startContainer runs in the container: its path is the container's.
  std::filesystem::copy_file(script, b.Rootfs() + "/hook.sh");
  patch["hooks"]["startContainer"] = {{{"path", "/hook.sh"}, {"args", {"hook.sh", "startContainer", "/"}}}};
  b.Write(patch.dump().c_str());
  const std::string id = NewId("hooks");
  const std::string host_mnt = std::filesystem::read_symlink("/proc/self/ns/mnt").string();

  REQUIRE(b.Run({"create", "--pid-file", b.Dir() + "/pid", id}).code == 0);
  const std::string pid = ReadFile(b.Dir() + "/pid");
  const std::string container_mnt = std::filesystem::read_symlink("/proc/" + pid + "/ns/mnt").string();
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  };
  for (const char* kind : {"prestart", "createRuntime"}) {
    INFO(kind);
    const auto seen = lines(ReadFile(b.Dir() + "/hook-" + kind));
    REQUIRE(seen.size() == 3);
    CHECK(seen[1] == host_mnt);
    const auto state = nlohmann::json::parse(seen[2]);
    CHECK(state["status"] == "creating");
    CHECK(std::to_string(state["pid"].get<int>()) == pid);  // a live host pid: docker's setkey opens its netns
    CHECK(state["id"] == id);
    CHECK(state["bundle"] == b.Dir());
    CHECK(state["annotations"]["org.test"] == "yes");
  }
  const auto create_container = lines(ReadFile(b.Dir() + "/hook-createContainer"));
  REQUIRE(create_container.size() == 3);
  CHECK(create_container[1] == container_mnt);
  CHECK(nlohmann::json::parse(create_container[2])["pid"] == 1);  // as the container sees it
  CHECK(!std::filesystem::exists(b.Rootfs() + "/hook-startContainer"));
  CHECK(!std::filesystem::exists(b.Dir() + "/hook-poststart"));

  REQUIRE(b.Run({"start", id}).code == 0);
  const auto start_container = lines(ReadFile(b.Rootfs() + "/hook-startContainer"));
  REQUIRE(start_container.size() == 3);
  CHECK(start_container[1] == container_mnt);
  CHECK(nlohmann::json::parse(start_container[2])["status"] == "created");
  CHECK(nlohmann::json::parse(start_container[2])["pid"] == 1);
  const auto poststart = lines(ReadFile(b.Dir() + "/hook-poststart"));
  REQUIRE(poststart.size() == 3);
  CHECK(nlohmann::json::parse(poststart[2])["status"] == "running");

  CHECK(!std::filesystem::exists(b.Dir() + "/hook-poststop"));
  CHECK(b.Run({"delete", "--force", id}).code == 0);
  const auto poststop = lines(ReadFile(b.Dir() + "/hook-poststop"));
  REQUIRE(poststop.size() == 3);
  CHECK(poststop[1] == host_mnt);
  CHECK(nlohmann::json::parse(poststop[2])["status"] == "stopped");

  // A failing createRuntime hook fails create and leaves nothing.
  patch["hooks"] = {{"createRuntime", {{{"path", "/bin/false"}}}}};
  b.Write(patch.dump().c_str());
  auto failed = b.Run({"create", NewId("hookfail")});
  CHECK(failed.code == 1);
  CHECK(failed.err.find("/bin/false") != std::string::npos);
}

TEST_CASE("cask: init and exec'd processes are the client's, as under conmon and the shim", "[oci]") {
  Bundle b(R"({"process": {"args": ["/probe", "sleep", "100"]}})");
  const ScopedSubreaper reaper;  // as conmon and containerd-shim-runc-v2 are
  const std::string id = NewId("parent");
  REQUIRE(b.Run({"create", "--pid-file", b.Dir() + "/init.pid", id}).code == 0);
  const pid_t init = std::stoi(ReadFile(b.Dir() + "/init.pid"));
  auto parent = [](pid_t pid) {
    const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
    return std::stoi(stat.substr(stat.rfind(')') + 4));  // field 4, after the state letter
  };
  CHECK(parent(init) == getpid());  // no cask process stays between them
  REQUIRE(b.Run({"start", id}).code == 0);
  REQUIRE(b.Run({"exec", "--detach", "--pid-file", b.Dir() + "/exec.pid", id, "/probe", "sleep", "100"}).code == 0);
  const pid_t exec = std::stoi(ReadFile(b.Dir() + "/exec.pid"));
  CHECK(parent(exec) == getpid());

  CHECK(b.Run({"kill", "--all", id, "KILL"}).code == 0);
  for (pid_t pid : {exec, init}) {
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);  // the client reaps them, and sees how they ended
    CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  }
  CHECK(b.Run({"delete", id}).code == 0);
}
