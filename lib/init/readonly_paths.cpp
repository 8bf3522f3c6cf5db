#include "init/readonly_paths.hpp"

#include <fcntl.h>
#include <sys/mount.h>

#include <cerrno>

#include "common/mount_api.hpp"
#include "init/rootfs_path.hpp"
#include "common/step_error.hpp"

namespace cask {

void ReadonlyPaths(int root_fd, const std::vector<std::string>& paths) {
  constexpr char kReadonlyStep[] = "readonly paths";
  for (const std::string& raw : paths) {
    const std::string path = CleanPath(raw);
    const std::string what = "make " + path + " read-only";
    unique_fd target = OpenInRoot(root_fd, path, O_PATH);
    if (!target) {
      if (errno == ENOENT) continue;
      ThrowErrno(kReadonlyStep, what);
    }
    unique_fd tree = CloneMount(target.get(), "", true);
    if (!tree || SetMountAttr(tree.get(), MountAttr{MOUNT_ATTR_RDONLY, 0}, true) < 0 ||
        AttachMount(tree.get(), target.get()) < 0) {
      ThrowErrno(kReadonlyStep, what);
    }
  }
}

}  // namespace cask
