#include "common/mount_api.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

namespace cask {
namespace {

// Reads the messages the kernel queued on an fs context fd ("e tmpfs: Bad value ...").
std::string ReadFsLog(int fs_fd) {
  std::string log;
  char buf[512];
  for (;;) {
    ssize_t n = read(fs_fd, buf, sizeof(buf) - 1);
    if (n <= 0) break;
    if (!log.empty()) log += "; ";
    std::string_view line(buf, static_cast<size_t>(n));
    if (line.size() > 2 && line[1] == ' ') line.remove_prefix(2);  // "e ", "w ", "i "
    while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    log += line;
  }
  return log;
}

}  // namespace

MountAttr AttrFromFlags(unsigned long set_flags, unsigned long clear_flags) {
  struct Bit {
    unsigned long ms;
    uint64_t attr;
  };
  constexpr Bit kBits[] = {
      {MS_RDONLY, MOUNT_ATTR_RDONLY},         {MS_NOSUID, MOUNT_ATTR_NOSUID},
      {MS_NODEV, MOUNT_ATTR_NODEV},           {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
      {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}, {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW}};
  MountAttr attr;
  for (const Bit& bit : kBits) {
    if (set_flags & bit.ms) attr.set |= bit.attr;
    if (clear_flags & bit.ms) attr.clear |= bit.attr;
  }
  // Access time is one three-valued field: setting any value replaces the whole field.
  if (set_flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
    attr.clear |= MOUNT_ATTR__ATIME;
    if (set_flags & MS_NOATIME) {
      attr.set |= MOUNT_ATTR_NOATIME;
    } else if (set_flags & MS_STRICTATIME) {
      attr.set |= MOUNT_ATTR_STRICTATIME;
    }  // MOUNT_ATTR_RELATIME is 0
  }
  return attr;
}

std::string SuperblockOptions(unsigned long flags) {
  struct Name {
    unsigned long ms;
    const char* name;
  };
  constexpr Name kNames[] = {{MS_SYNCHRONOUS, "sync"},  {MS_DIRSYNC, "dirsync"},
                             {MS_LAZYTIME, "lazytime"}, {MS_MANDLOCK, "mand"},
                             {MS_POSIXACL, "posixacl"}, {MS_I_VERSION, "iversion"}};
  std::string options;
  for (const Name& n : kNames) {
    if (flags & n.ms) options += std::string(options.empty() ? "" : ",") + n.name;
  }
  return options;
}

unique_fd NewMount(const std::string& type, const std::string& source, const std::string& data,
                   uint64_t attr, std::string* log) {
  unique_fd fs(fsopen(type.c_str(), FSOPEN_CLOEXEC));
  if (!fs) return fs;
  auto fail = [&]() {
    int err = errno;
    if (log) *log = ReadFsLog(fs.get());
    errno = err;
    return unique_fd();
  };
  if (!source.empty() && fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", source.c_str(), 0) < 0) {
    return fail();
  }
  std::string_view rest = data;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string option(rest.substr(0, comma));
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    if (option.empty()) continue;
    size_t eq = option.find('=');
    int rc = eq == std::string::npos
                 ? fsconfig(fs.get(), FSCONFIG_SET_FLAG, option.c_str(), nullptr, 0)
                 : fsconfig(fs.get(), FSCONFIG_SET_STRING, option.substr(0, eq).c_str(),
                            option.c_str() + eq + 1, 0);
    if (rc < 0) return fail();
  }
  if (fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) return fail();
  unique_fd mnt(fsmount(fs.get(), FSMOUNT_CLOEXEC, static_cast<unsigned>(attr)));
  if (!mnt) return fail();
  return mnt;
}

unique_fd CloneMount(int dirfd, const std::string& path, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  if (path.empty()) flags |= AT_EMPTY_PATH;
  return unique_fd(open_tree(dirfd, path.c_str(), flags));
}

int SetMountAttr(int mnt_fd, const MountAttr& attr, bool recursive) {
  mount_attr a{};
  a.attr_set = attr.set;
  a.attr_clr = attr.clear;
  return mount_setattr(mnt_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a));
}

int SetIdmap(int mnt_fd, int userns_fd, bool recursive) {
  mount_attr a{};
  a.attr_set = MOUNT_ATTR_IDMAP;
  a.userns_fd = static_cast<uint64_t>(userns_fd);
  return mount_setattr(mnt_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a));
}

int SetPropagation(int mnt_fd, unsigned long propagation) {
  mount_attr a{};
  a.propagation = propagation & (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE);
  bool recursive = propagation & MS_REC;
  return mount_setattr(mnt_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a));
}

int AttachMount(int mnt_fd, int target_fd) {
  return move_mount(mnt_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

int64_t FsMagic(int fd) {
  struct statfs st {};
  if (fstatfs(fd, &st) < 0) return 0;
  return static_cast<int64_t>(st.f_type);
}

}  // namespace cask
