// The container's /dev: default device nodes, config.devices and the standard links.
#pragma once

#include <cask/config.hpp>

namespace cask {

// Creates /dev/{null,zero,full,random,urandom,tty} (mode 0666, root-owned) and every
// config.devices entry in the root at `root_fd`. Outside a user namespace they are made
// with mknod; inside one, where mknod is refused, the host's node at the same path is
// bind-mounted onto an empty file. Throws StepError("devices", ...).
void CreateDevices(int root_fd, const Config& config, bool in_user_namespace);

// /dev/fd -> /proc/self/fd, /dev/std{in,out,err} -> /proc/self/fd/{0,1,2},
// /dev/core -> /proc/kcore when the container's /proc has it, and /dev/ptmx ->
// pts/ptmx when /dev/pts is a devpts mount. Throws StepError("devices", ...).
void CreateDevLinks(int root_fd);

}  // namespace cask
