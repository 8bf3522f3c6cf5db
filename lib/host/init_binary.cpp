#include "host/init_binary.hpp"

#include <cask/error.hpp>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "common/mount_api.hpp"
#include "common/seal.hpp"

namespace cask {
namespace {

// The overlayfs view, or an empty fd and why not.
unique_fd OverlayView(const std::string& path, const std::string& spare_dir, std::string* why) {
  std::error_code ec;
  // /proc/self/exe names the file by a link that overlayfs cannot take as a layer.
  const std::filesystem::path file = std::filesystem::canonical(path, ec);
  if (ec) {
    *why = "resolve " + path + ": " + ec.message();
    return {};
  }
  const std::string dir = file.parent_path().string();
  // ':' and '\' are overlayfs's own syntax in lowerdir, ',' NewMount's between options.
  if (dir.find_first_of(":\\,") != std::string::npos || spare_dir.find_first_of(":\\,") != std::string::npos) {
    *why = "a layer's path holds ':', '\\' or ','";
    return {};
  }
  if (mkdir(spare_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    *why = "make " + spare_dir + ": " + std::strerror(errno);
    return {};
  }
  std::string log;
  unique_fd mnt = NewMount("overlay", "cask-init", "lowerdir=" + dir + ":" + spare_dir,
                           MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &log);
  if (!mnt) {
    // ELOOP: the layers overlap (a state root inside the binary's directory).
    *why = "overlayfs over " + dir + " and " + spare_dir + ": " + std::strerror(errno) +
           (log.empty() ? "" : " (" + log + ")");
    return {};
  }
  unique_fd view(openat(mnt.get(), file.filename().c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!view) *why = "open " + file.filename().string() + " in the view: " + std::strerror(errno);
  return view;  // the detached mount lives on as long as this fd, or a process it runs
}

}  // namespace

InitBinary OpenInitBinary(const std::string& path, const std::string& spare_dir) {
  std::string why;
  if (unique_fd view = OverlayView(path, spare_dir, &why)) return {std::move(view), ""};
  return {SealedCopy(path), why};
}

}  // namespace cask
