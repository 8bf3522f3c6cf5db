// Mounting through file descriptors with the new mount API (fsopen, fsmount, open_tree,
// move_mount, mount_setattr): a mount is made detached, checked and given its flags
// through its fd, and only then attached onto a target fd resolved in the container's
// root. Functions return an empty fd or -1 with errno set; callers add the context.
#pragma once

#include <cask/unique_fd.hpp>
#include <cstdint>
#include <string>

namespace cask {

// MOUNT_ATTR_* bits to set and to clear.
struct MountAttr {
  uint64_t set = 0;
  uint64_t clear = 0;
  bool empty() const { return set == 0 && clear == 0; }
};

// The per-mount MS_* flags (rdonly, nosuid, nodev, noexec, atime, nosymfollow) of
// `set_flags` and `clear_flags` as MOUNT_ATTR_* bits.
MountAttr AttrFromFlags(unsigned long set_flags, unsigned long clear_flags);

// The MS_* flags that belong to the superblock, as fsconfig flag names ("sync", ...),
// comma-separated; they are passed with the mount's data.
std::string SuperblockOptions(unsigned long flags);

// A new detached mount of filesystem `type`: `data` is its comma-separated options.
// On failure, `log` gets the kernel's message for the fs context, if any.
unique_fd NewMount(const std::string& type, const std::string& source, const std::string& data,
                   uint64_t attr, std::string* log);

// A detached copy of the mount at `dirfd`/`path` (the fd itself when `path` is empty),
// with its submounts when `recursive`.
unique_fd CloneMount(int dirfd, const std::string& path, bool recursive);

// mount_setattr on the mount at `mnt_fd`.
int SetMountAttr(int mnt_fd, const MountAttr& attr, bool recursive);

// Makes the detached mount `mnt_fd` idmapped through the user namespace `userns_fd`
// (with its submounts when `recursive`).
int SetIdmap(int mnt_fd, int userns_fd, bool recursive);

// Sets MS_SHARED / MS_SLAVE / MS_PRIVATE / MS_UNBINDABLE; MS_REC makes it recursive.
int SetPropagation(int mnt_fd, unsigned long propagation);

// Attaches the mount `mnt_fd` onto the object `target_fd` refers to.
int AttachMount(int mnt_fd, int target_fd);

// Filesystem magic (statfs f_type) of what `fd` refers to, or 0 with errno set.
int64_t FsMagic(int fd);

}  // namespace cask
