#include <linux/capability.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cask/capabilities.hpp>
#include <cask/namespaces.hpp>
#include <cask/rlimits.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <string>

TEST_CASE("namespace names map both ways") {
  std::set<std::string_view> names;
  std::set<int> flags;
  for (cask::NamespaceType type : cask::kNamespaceTypes) {
    auto name = cask::NamespaceName(type);
    CHECK(cask::NamespaceFromName(name) == type);
    names.insert(name);
    flags.insert(cask::CloneFlag(type));
  }
  CHECK(names == std::set<std::string_view>{"mount", "uts", "ipc", "pid", "network", "user",
                                            "cgroup", "time"});
  CHECK(flags.size() == 8);
  CHECK(!cask::NamespaceFromName("net"));
  CHECK(!cask::NamespaceFromName(""));
}

TEST_CASE("namespace clone flags are the kernel's") {
  CHECK(cask::CloneFlag(cask::NamespaceType::kMount) == CLONE_NEWNS);
  CHECK(cask::CloneFlag(cask::NamespaceType::kUts) == CLONE_NEWUTS);
  CHECK(cask::CloneFlag(cask::NamespaceType::kIpc) == CLONE_NEWIPC);
  CHECK(cask::CloneFlag(cask::NamespaceType::kPid) == CLONE_NEWPID);
  CHECK(cask::CloneFlag(cask::NamespaceType::kNet) == CLONE_NEWNET);
  CHECK(cask::CloneFlag(cask::NamespaceType::kUser) == CLONE_NEWUSER);
  CHECK(cask::CloneFlag(cask::NamespaceType::kCgroup) == CLONE_NEWCGROUP);
  CHECK(cask::CloneFlag(cask::NamespaceType::kTime) == 0x80);
}

TEST_CASE("every /proc/self/ns file name exists") {
  for (cask::NamespaceType type : cask::kNamespaceTypes) {
    const std::string path = std::string("/proc/self/ns/") + cask::ProcNsName(type);
    INFO(path);
    CHECK(access(path.c_str(), F_OK) == 0);
  }
}

TEST_CASE("capability names match the kernel's numbers") {
  CHECK(cask::kLastCapability == CAP_LAST_CAP);
  CHECK(cask::CapabilityFromName("CAP_CHOWN") == CAP_CHOWN);
  CHECK(cask::CapabilityFromName("CAP_NET_BIND_SERVICE") == CAP_NET_BIND_SERVICE);
  CHECK(cask::CapabilityFromName("CAP_SYS_ADMIN") == CAP_SYS_ADMIN);
  CHECK(cask::CapabilityFromName("CAP_AUDIT_WRITE") == CAP_AUDIT_WRITE);
  CHECK(cask::CapabilityFromName("CAP_BPF") == CAP_BPF);
  CHECK(cask::CapabilityFromName("CAP_CHECKPOINT_RESTORE") == CAP_CHECKPOINT_RESTORE);
  for (int cap = 0; cap <= cask::kLastCapability; ++cap) {
    CHECK(cask::CapabilityFromName(cask::CapabilityName(cap)) == cap);
  }
  CHECK(!cask::CapabilityFromName("CAP_FOO"));
  CHECK(!cask::CapabilityFromName("chown"));
  CHECK(cask::CapabilityName(cask::kLastCapability + 1).empty());
  CHECK(cask::CapabilityName(-1).empty());
}

TEST_CASE("rlimit names match the libc's numbers") {
  CHECK(cask::RlimitFromName("RLIMIT_NOFILE") == RLIMIT_NOFILE);
  CHECK(cask::RlimitFromName("RLIMIT_CORE") == RLIMIT_CORE);
  CHECK(cask::RlimitFromName("RLIMIT_RTTIME") == RLIMIT_RTTIME);
  CHECK(cask::RlimitName(RLIMIT_AS) == "RLIMIT_AS");
  std::set<int> numbers;
  for (int resource = 0; resource < RLIMIT_NLIMITS; ++resource) {
    auto name = cask::RlimitName(resource);
    INFO(resource);
    REQUIRE(!name.empty());
    CHECK(cask::RlimitFromName(name) == resource);
  }
  CHECK(!cask::RlimitFromName("RLIMIT_FOO"));
  CHECK(!cask::RlimitFromName("NOFILE"));
  CHECK(cask::RlimitName(RLIMIT_NLIMITS).empty());
}
