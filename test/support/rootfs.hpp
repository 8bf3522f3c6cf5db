// A busybox-static root filesystem in a temporary directory, with the probe at /probe
// (unless asked not to: a sanitizer build has no static probe), for tests. Removed with
// its object.
#pragma once

#include <string>

namespace cask::test {

class Rootfs {
 public:
  // Users: root, alice (1000:1000, in staff 50 and wheel 10), nobody (65534).
  explicit Rootfs(bool with_probe = true);
  ~Rootfs();
  Rootfs(const Rootfs&) = delete;
  Rootfs& operator=(const Rootfs&) = delete;
  const std::string& Path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace cask::test
