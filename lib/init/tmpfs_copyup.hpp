// "tmpcopyup" (podman's mount option, crun's and runc's too): a new tmpfs starts with
// what the image has at its mount point, so that a read-only root keeps /run or /tmp
// as the image made them.
#pragma once

namespace cask {

// Copies the tree under the directory `from` into the directory `to` (a detached
// mount, before it is attached over `from`): directories, regular files, symlinks,
// fifos and device nodes, each with its mode, owner and times; `to` itself takes
// `from`'s mode and owner. Nothing is followed through a symlink. Throws
// StepError("mount", ...).
void CopyUp(int from, int to);

}  // namespace cask
