#include "init/rootfs_devices.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <string>

#include "common/mount_api.hpp"
#include "init/rootfs_path.hpp"
#include "common/step_error.hpp"

namespace cask {
namespace {

constexpr char kDevicesStep[] = "devices";

std::vector<Device> DefaultDevices() {
  struct Node {
    const char* path;
    int64_t major;
    int64_t minor;
  };
  constexpr Node kNodes[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                             {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
  std::vector<Device> devices;
  for (const Node& n : kNodes) {
    devices.push_back(Device{n.path, 'c', n.major, n.minor, 0666, 0, 0});
  }
  return devices;
}

mode_t FileType(const Device& device) {
  switch (device.type) {
    case 'b':
      return S_IFBLK;
    case 'p':
      return S_IFIFO;
    default:
      return S_IFCHR;  // 'c' and 'u'
  }
}

std::string Describe(const Device& d) {
  return d.path + " (" + d.type + " " + std::to_string(d.major) + ":" + std::to_string(d.minor) +
         ")";
}

// True when the node `st` is `device`: same type and, for devices, the same numbers.
bool IsDevice(const struct stat& st, const Device& device) {
  if ((st.st_mode & S_IFMT) != FileType(device)) return false;
  if (device.type == 'p') return true;
  return major(st.st_rdev) == device.major && minor(st.st_rdev) == device.minor;
}

void MknodDevice(int parent_fd, const std::string& name, const Device& device) {
  const std::string what = "mknod " + Describe(device);
  mode_t mode = FileType(device) | (device.file_mode.value_or(0666) & 07777);
  dev_t dev = device.type == 'p' ? 0
                                 : makedev(static_cast<unsigned>(device.major),
                                           static_cast<unsigned>(device.minor));
  mode_t old_umask = umask(0);  // init is single-threaded: the mode is given exactly
  int rc = mknodat(parent_fd, name.c_str(), mode, dev);
  umask(old_umask);
  if (rc < 0) {
    if (errno != EEXIST) ThrowErrno(kDevicesStep, what);
    // Keep what the rootfs has only when it is the very same device.
    struct stat st {};
    if (fstatat(parent_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) ThrowErrno(kDevicesStep, what);
    if (!IsDevice(st, device)) ThrowStep(kDevicesStep, what + ": a different file exists there", EEXIST);
  }
  if (fchownat(parent_fd, name.c_str(), device.uid.value_or(0), device.gid.value_or(0),
               AT_SYMLINK_NOFOLLOW) < 0) {
    ThrowErrno(kDevicesStep, "chown " + device.path);
  }
}

// In a user namespace: bind the host's node at the same path onto an empty file.
void BindHostDevice(int root_fd, const std::string& path, const Device& device) {
  const std::string what = "bind host " + Describe(device);
  unique_fd host(open(device.path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!host) ThrowErrno(kDevicesStep, what);
  struct stat st {};
  if (fstat(host.get(), &st) < 0) ThrowErrno(kDevicesStep, what);
  if (!IsDevice(st, device)) ThrowStep(kDevicesStep, what + ": the host's node differs", ENODEV);
  unique_fd target = MkfileInRoot(root_fd, path, kDevicesStep);
  unique_fd tree = CloneMount(host.get(), "", false);
  if (!tree || AttachMount(tree.get(), target.get()) < 0) ThrowErrno(kDevicesStep, what);
}

void CreateDevice(int root_fd, const Device& device, bool in_user_namespace) {
  std::string path = CleanPath(device.path);
  auto [dir, name] = SplitLast(path);
  if (name.empty()) ThrowStep(kDevicesStep, "device path " + device.path, EINVAL);
  if (in_user_namespace && device.type != 'p') {
    BindHostDevice(root_fd, path, device);
    return;
  }
  unique_fd parent = MkdirAllInRoot(root_fd, dir, kDevicesStep);
  MknodDevice(parent.get(), name, device);
}

void Symlink(int dir_fd, const char* target, const char* name) {
  if (symlinkat(target, dir_fd, name) < 0 && errno != EEXIST) {
    ThrowErrno(kDevicesStep, std::string("symlink /dev/") + name + " -> " + target);
  }
}

}  // namespace

void CreateDevices(int root_fd, const Config& config, bool in_user_namespace) {
  std::set<std::string> configured;
  for (const Device& device : config.devices) configured.insert(CleanPath(device.path));
  for (const Device& device : DefaultDevices()) {
    if (!configured.count(device.path)) CreateDevice(root_fd, device, in_user_namespace);
  }
  for (const Device& device : config.devices) CreateDevice(root_fd, device, in_user_namespace);
}

void CreateDevLinks(int root_fd) {
  unique_fd dir = MkdirAllInRoot(root_fd, "/dev", kDevicesStep);
  Symlink(dir.get(), "/proc/self/fd", "fd");
  Symlink(dir.get(), "/proc/self/fd/0", "stdin");
  Symlink(dir.get(), "/proc/self/fd/1", "stdout");
  Symlink(dir.get(), "/proc/self/fd/2", "stderr");
  if (OpenInRoot(root_fd, "/proc/kcore", O_PATH)) Symlink(dir.get(), "/proc/kcore", "core");

  unique_fd pts = OpenInRoot(root_fd, "/dev/pts", O_PATH | O_DIRECTORY);
  if (pts && FsMagic(pts.get()) == DEVPTS_SUPER_MAGIC) {
    if (unlinkat(dir.get(), "ptmx", 0) < 0 && errno != ENOENT)
      ThrowErrno(kDevicesStep, "remove /dev/ptmx");
    Symlink(dir.get(), "pts/ptmx", "ptmx");
  }
}

}  // namespace cask
