// What the payload can see and undo of its confinement.
//   Masked and read-only paths: CVE-2025-31133 showed why they matter (/proc/sysrq-
//     trigger, /proc/sys/kernel/core_pattern); masked_paths.cpp, readonly_paths.cpp.
//   The pid namespace hides and shields the host's processes.
//   pivot_root leaves no old root to unmount or remount back to (rootfs_pivot.cpp).
#include <catch2/catch.hpp>

#include "harness.hpp"

using cask::test::Harness;

TEST_CASE("masked paths read empty and cannot be written or unmounted", "[security]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  CHECK(h.Run(config, {"/probe", "cat", "/proc/timer_list"}).out.empty());
  CHECK(h.Run(config, {"/probe", "cat", "/proc/keys"}).out.empty());
  // A masked directory is an empty read-only tmpfs; a read-only path refuses writes.
  CHECK(h.Run(config, {"/probe", "write", "/sys/firmware/x", "1"}).out == "EROFS\n");
  CHECK(h.Run(config, {"/probe", "write", "/proc/sys/kernel/domainname", "x"}).out == "EROFS\n");
  CHECK(h.Run(config, {"/probe", "try", "umount-root"}).out == "EPERM\n");
  // /sys/fs/cgroup and every hierarchy under it.
  int cgroup_mounts = 0;
  const auto probe = h.Run(config).Json();
  for (const auto& m : probe.at("mounts")) {
    if (m.at("mount_point").get<std::string>().rfind("/sys/fs/cgroup", 0) != 0) continue;
    INFO(m.dump());
    CHECK(m.at("options").get<std::string>().rfind("ro,", 0) == 0);
    ++cgroup_mounts;
  }
  CHECK(cgroup_mounts > 0);
}

TEST_CASE("the payload cannot see or signal host processes or leave its root", "[security]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  // kill(-1, 0) reaches every process the caller may signal but itself and its init.
  CHECK(h.Run(config, {"/probe", "try", "kill-1"}).out == "ESRCH\n");
  // Even with CAP_SYS_ADMIN and no filter: nothing is left to unmount to.
  for (auto* set : {&config.capabilities.bounding, &config.capabilities.effective,
                    &config.capabilities.permitted}) {
    set->push_back("CAP_SYS_ADMIN");
  }
  config.seccomp.reset();
  auto probe = h.Run(config).Json();
  for (const auto& m : probe.at("mounts")) {
    const std::string point = m.at("mount_point");
    INFO(point);
    CHECK((point == "/" || point.rfind("/proc", 0) == 0 || point.rfind("/dev", 0) == 0 ||
           point.rfind("/sys", 0) == 0));
  }
  // Detaching / leaves the process on it; the host's root is nowhere to be found.
  auto after = h.Run(config, {"/bin/sh", "-c", "/probe try umount-root; ls /tmp /proc/1/root/tmp"});
  INFO(after.out + after.err);
  CHECK(after.out.find(h.rootfs().Path().substr(5)) == std::string::npos);
}
