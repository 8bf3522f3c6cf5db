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
  // pivot_root left nothing of the host's tree: the only mounts are the root and what
  // the config put on it. umount of / is refused (see the masked paths test).
  auto probe = h.Run(config).Json();
  for (const auto& m : probe.at("mounts")) {
    const std::string point = m.at("mount_point");
    INFO(point);
    CHECK((point == "/" || point.rfind("/proc", 0) == 0 || point.rfind("/dev", 0) == 0 ||
           point.rfind("/sys", 0) == 0));
  }
}
