#include <cask/defaults.hpp>
#include <cask/seccomp_json.hpp>
#include <cask/seccomp_profile.hpp>
#include <cask/validate.hpp>
#include <catch2/catch.hpp>
#include <string>

namespace {

std::string ErrorOf(const std::string& text) {
  try {
    cask::ParseSeccompProfile(text);
  } catch (const cask::ConfigError& e) {
    return e.what();
  }
  return "no error";
}

bool Allows(const cask::Seccomp& profile, const std::string& name) {
  for (const auto& rule : profile.syscalls) {
    if (rule.action != "SCMP_ACT_ALLOW") continue;
    for (const auto& n : rule.names) {
      if (n == name) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("an OCI seccomp profile is read with every field") {
  const auto profile = cask::ParseSeccompProfile(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
    "flags": ["SECCOMP_FILTER_FLAG_LOG"],
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
      {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
      {"names": ["no_such_syscall_anywhere"], "action": "SCMP_ACT_KILL_PROCESS"}
    ]})");
  cask::Seccomp expected;
  expected.default_action = "SCMP_ACT_ERRNO";
  expected.default_errno_ret = 1;
  expected.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  expected.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  expected.syscalls = {
      {{"read", "write"}, "SCMP_ACT_ALLOW", {}, {}},
      {{"keyctl"}, "SCMP_ACT_ERRNO", 38, {}},
      {{"clone"}, "SCMP_ACT_ALLOW", {}, {{0, 2114060288, 0, "SCMP_CMP_MASKED_EQ"}}},
      // Unknown syscall names are kept: the loader skips those this kernel lacks.
      {{"no_such_syscall_anywhere"}, "SCMP_ACT_KILL_PROCESS", {}, {}},
  };
  CHECK(profile == expected);
}

TEST_CASE("OCI seccomp profile errors name the JSON path") {
  CHECK(ErrorOf(R"({"syscalls": []})") == "missing key \"defaultAction\"");
  CHECK(ErrorOf(R"({"defaultAction": "SCMP_ACT_ALLOW", "default_action": "SCMP_ACT_ALLOW"})") ==
        "unknown key \"default_action\"");
  CHECK(ErrorOf(R"({"defaultAction": "SCMP_ACT_FOO"})") ==
        "defaultAction: unknown action \"SCMP_ACT_FOO\"");
  CHECK(ErrorOf(R"({"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": -1})") ==
        "defaultErrnoRet: integer -1 out of range [0, 4294967295]");
  CHECK(ErrorOf(R"({"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
                                 {"names": ["keyctl"], "action": "SCMP_ACT_NOTIFY"}]})") ==
        "syscalls[1].action: unknown action \"SCMP_ACT_NOTIFY\"");
  CHECK(ErrorOf(R"({"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "errno": 1}]})") ==
        "syscalls[0]: unknown key \"errno\"");
  CHECK(ErrorOf(R"({"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"action": "SCMP_ACT_ALLOW"}]})") ==
        "syscalls[0]: missing key \"names\"");
  CHECK(ErrorOf(R"({"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": ["read", 3], "action": "SCMP_ACT_ALLOW"}]})") ==
        "syscalls[0].names[1]: expected a string, got number");
  CHECK(ErrorOf(R"({"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                                  "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                                           {"index": 1, "value": 1, "op": "EQ"}]}]})") ==
        "syscalls[0].args[1].op: unknown operator \"EQ\"");
  CHECK(ErrorOf(R"({"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                                  "args": [{"index": 0, "value": 1, "valueTwo": "2",
                                            "op": "SCMP_CMP_EQ"}]}]})") ==
        "syscalls[0].args[0].valueTwo: expected an integer, got string");
  CHECK(ErrorOf(R"({"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": ["read"], "action": "SCMP_ACT_KILL", "errnoRet": 1}]})") ==
        "syscalls[0].errnoRet: only for SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
  CHECK(ErrorOf(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]})") ==
        "architectures[0]: unknown architecture \"SCMP_ARCH_Z80\"");
  CHECK(ErrorOf(R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_X"]})") ==
        "flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_X\"");
  CHECK(ErrorOf(R"(["SCMP_ACT_ALLOW"])") == "expected an object, got array");
  CHECK(ErrorOf(R"({"defaultAction": )").rfind("invalid JSON: ", 0) == 0);
}

TEST_CASE("the default seccomp profile denies with EPERM and allows the ordinary calls") {
  const cask::Seccomp profile = cask::DefaultSeccompProfile();
  CHECK(profile.default_action == "SCMP_ACT_ERRNO");
  CHECK(profile.default_errno_ret == 1u);
  for (const char* name : {"read", "openat", "execve", "socketpair", "epoll_wait", "futex"}) {
    CHECK(Allows(profile, name));
  }
  for (const char* name :
       {"keyctl", "add_key", "request_key", "mount", "umount2", "unshare", "setns", "pivot_root",
        "bpf", "kexec_load", "init_module", "userfaultfd", "perf_event_open", "chroot", "reboot"}) {
    INFO(name);
    CHECK_FALSE(Allows(profile, name));
  }
  cask::Config config = cask::DefaultConfig();
  config.root.path = "/rootfs";
  CHECK(config.seccomp == profile);  // DefaultConfig's three capabilities add nothing
  CHECK_NOTHROW(config.Validate());
}

TEST_CASE("the default seccomp profile allows what the container's capabilities need") {
  const cask::Seccomp profile = cask::DefaultSeccompProfile({"CAP_SYS_ADMIN", "CAP_SYS_CHROOT"});
  for (const char* name : {"mount", "umount2", "unshare", "setns", "clone", "clone3", "chroot"}) {
    CHECK(Allows(profile, name));
  }
  CHECK_FALSE(Allows(profile, "keyctl"));
  CHECK_FALSE(Allows(profile, "reboot"));
}
