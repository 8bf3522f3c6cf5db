#include "rootfs.hpp"

#include <cask/error.hpp>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace cask::test {
namespace fs = std::filesystem;
namespace {

std::string BusyboxApplets() {
  FILE* pipe = popen("/bin/busybox --list", "r");
  if (pipe == nullptr) throw Error(errno, "run busybox --list");
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), pipe)) > 0;) out.append(buf, n);
  if (pclose(pipe) != 0) throw Error(Errc::kNotFound, "busybox --list failed: is busybox-static installed?");
  return out;
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw Error(errno, "write " + path.string());
}

}  // namespace

namespace {

// Busybox with its applets, the probe, and the users and groups the tests expect.
void Fill(const fs::path& root, bool with_probe) {
  for (const char* d : {"bin", "proc", "sys", "dev", "tmp", "etc", "root", "home/alice", "var", "run"}) {
    fs::create_directories(root / d);
  }
  chmod((root / "tmp").c_str(), 01777);
  fs::copy_file("/bin/busybox", root / "bin/busybox");
  std::istringstream applets(BusyboxApplets());
  for (std::string applet; applets >> applet;) {
    if (applet != "busybox") fs::create_symlink("busybox", root / "bin" / applet);
  }
  if (with_probe) {
    fs::copy_file(CASK_PROBE_PATH, root / "probe");
    chmod((root / "probe").c_str(), 0755);
  }
  WriteText(root / "etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\n"
            "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
  WriteText(root / "etc/group",
            "root:x:0:\nwheel:x:10:alice\nstaff:x:50:alice\nalice:x:1000:\nnogroup:x:65534:\n");
  WriteText(root / "etc/hostname", "cask\n");
}

}  // namespace

Rootfs::Rootfs(bool with_probe) {
  char dir[] = "/tmp/cask-rootfs-XXXXXX";
  if (mkdtemp(dir) == nullptr) throw Error(errno, "mkdtemp");
  path_ = dir;
  chmod(dir, 0755);
  try {
    Fill(path_, with_probe);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(path_, ec);  // a failed fixture leaves no directory behind
    throw;
  }
}

Rootfs::~Rootfs() {
  std::error_code ec;
  fs::remove_all(path_, ec);  // remove_all does not follow symlinks out of the tree
  if (ec) std::fprintf(stderr, "rootfs: could not remove %s: %s\n", path_.c_str(), ec.message().c_str());
}

}  // namespace cask::test
