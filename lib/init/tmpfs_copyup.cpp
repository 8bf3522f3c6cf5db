#include "init/tmpfs_copyup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cask/unique_fd.hpp>
#include <memory>
#include <string>

#include "common/step_error.hpp"

namespace cask {
namespace {

constexpr char kStep[] = "mount";

void CopyAttributes(int fd, const struct stat& st, const std::string& path) {
  if (fchown(fd, st.st_uid, st.st_gid) < 0) ThrowErrno(kStep, "tmpcopyup: chown " + path);
  if (fchmod(fd, st.st_mode & 07777) < 0) ThrowErrno(kStep, "tmpcopyup: chmod " + path);
  const timespec times[2] = {st.st_atim, st.st_mtim};
  if (futimens(fd, times) < 0) ThrowErrno(kStep, "tmpcopyup: set the times of " + path);
}

void CopyFile(int from_dir, int to_dir, const char* name, const struct stat& st, const std::string& path) {
  unique_fd in(openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) ThrowErrno(kStep, "tmpcopyup: open " + path);
  unique_fd out(openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) ThrowErrno(kStep, "tmpcopyup: create " + path);
  for (off_t left = st.st_size; left > 0;) {
    ssize_t n = sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(left));
    if (n < 0) ThrowErrno(kStep, "tmpcopyup: copy " + path);
    if (n == 0) break;  // the file shrank meanwhile
    left -= n;
  }
  CopyAttributes(out.get(), st, path);
}

void CopyTree(int from, int to, const std::string& at) {
  unique_fd listing(openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* dir = listing ? fdopendir(listing.get()) : nullptr;
  if (dir == nullptr) ThrowErrno(kStep, "tmpcopyup: read " + at);
  listing.release();
  std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, closedir);
  while (dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = at + "/" + name;
    struct stat st {};
    if (fstatat(from, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) ThrowErrno(kStep, "tmpcopyup: stat " + path);
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(to, name.c_str(), 0700) < 0) ThrowErrno(kStep, "tmpcopyup: mkdir " + path);
      unique_fd sub_from(openat(from, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      unique_fd sub_to(openat(to, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub_from || !sub_to) ThrowErrno(kStep, "tmpcopyup: open " + path);
      CopyTree(sub_from.get(), sub_to.get(), path);
      CopyAttributes(sub_to.get(), st, path);  // after its contents: the times stay
    } else if (S_ISREG(st.st_mode)) {
      CopyFile(from, to, name.c_str(), st, path);
    } else {
      if (S_ISLNK(st.st_mode)) {
        std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
        ssize_t n = readlinkat(from, name.c_str(), target.data(), target.size());
        if (n < 0) ThrowErrno(kStep, "tmpcopyup: readlink " + path);
        target.resize(static_cast<size_t>(n));
        if (symlinkat(target.c_str(), to, name.c_str()) < 0) ThrowErrno(kStep, "tmpcopyup: symlink " + path);
      } else if (mknodat(to, name.c_str(), st.st_mode, st.st_rdev) < 0) {
        ThrowErrno(kStep, "tmpcopyup: mknod " + path);
      }
      if (fchownat(to, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0) {
        ThrowErrno(kStep, "tmpcopyup: chown " + path);
      }
      const timespec times[2] = {st.st_atim, st.st_mtim};
      if (utimensat(to, name.c_str(), times, AT_SYMLINK_NOFOLLOW) < 0) {
        ThrowErrno(kStep, "tmpcopyup: set the times of " + path);
      }
    }
  }
}

}  // namespace

void CopyUp(int from, int to) {
  unique_fd from_dir(openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  unique_fd to_dir(openat(to, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!from_dir || !to_dir) ThrowErrno(kStep, "tmpcopyup: open the mount point");
  struct stat st {};
  if (fstat(from_dir.get(), &st) < 0) ThrowErrno(kStep, "tmpcopyup: stat the mount point");
  CopyTree(from_dir.get(), to_dir.get(), "");
  CopyAttributes(to_dir.get(), st, "the mount point");
}

}  // namespace cask
