// Container::StreamIn and StreamOut: a tar stream into or out of the container's root,
// as the container sees it. A forked helper joins the container's mount namespace (and
// its user namespace), makes init's root its own root and becomes the given user before
// it touches a single path: no name in an archive and no symlink in the container
// resolves outside the container's root, because for the helper there is no outside.
// libarchive refuses '..', absolute names and extraction through symlinks as well, so
// that an archive stays inside the directory it is streamed into.
#include <archive.h>
#include <archive_entry.h>
#include <cask/container.hpp>
#include <fcntl.h>
#include <iconv.h>
#include <langinfo.h>
#include <sched.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>

#include "common/text.hpp"
#include "common/user.hpp"
#include "host/factory_impl.hpp"
#include "host/proc.hpp"

namespace cask {
namespace {

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

// A failure of libarchive's: errno where it has one, else the archive is at fault (as it
// is for EILSEQ, libarchive's code for a malformed archive).
[[noreturn]] void ThrowArchive(archive* a, const std::string& what) {
  const char* message = archive_error_string(a);
  const std::string text = what + ": " + (message ? message : "unknown error");
  const int code = archive_errno(a);
  if (code > 0 && code != EILSEQ) throw std::system_error(code, std::generic_category(), text);
  throw std::runtime_error(text);
}

[[noreturn]] void ThrowErrno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

// Gives up every capability but those that writing files as their owner takes: the
// helper, root in the container, need not be more than that.
void KeepFileCapabilities() {
  const cap_value_t keep[] = {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_SETFCAP};
  std::unique_ptr<std::remove_pointer_t<cap_t>, int (*)(void*)> caps(cap_init(), cap_free);
  if (!caps || cap_set_flag(caps.get(), CAP_PERMITTED, std::size(keep), keep, CAP_SET) != 0 ||
      cap_set_flag(caps.get(), CAP_EFFECTIVE, std::size(keep), keep, CAP_SET) != 0 || cap_set_proc(caps.get()) != 0) {
    ThrowErrno("drop capabilities");
  }
}

// In the helper: into the container's namespaces and root, as `user`.
void Enter(int init_pidfd, int namespaces, int root, const std::string& user) {
  if (namespaces != 0 && setns(init_pidfd, namespaces) != 0) ThrowErrno("join the container's namespaces");
  // libarchive converts names between UTF-8 and the locale's charset; glibc loads its
  // conversion tables on first use, which must be from the host, not the container.
  const char* locale = nl_langinfo(CODESET);
  for (auto [to, from] : {std::pair{"UTF-8", locale}, std::pair{locale, "UTF-8"}}) {
    iconv_t cd = iconv_open(to, from);
    if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
  }
  if (fchdir(root) != 0 || chroot(".") != 0 || chdir("/") != 0) ThrowErrno("enter the container's root");
  // Names only from the container's own files: NSS would load the container's
  // libraries into this process.
  const ExecUser who = LookUpUser(user, {});
  SetUser(who);
  if (who.uid == 0) KeepFileCapabilities();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ThrowErrno("set no_new_privs");
  umask(022);
}

// The helper's failure as the host gets it: the kind of code ('e' errno, 'c' cask's,
// 'a' the archive's), its value, then the message.
void SendFailure(int fd, const std::exception& e) {
  std::string kind = "a", value = "0";
  if (auto* error = dynamic_cast<const std::system_error*>(&e)) {
    const auto& category = error->code().category();
    kind = category == std::generic_category() || category == std::system_category() ? "e" : "c";
    value = std::to_string(error->code().value());
  }
  const std::string text = kind + " " + value + " " + e.what();
  (void)!write(fd, text.data(), text.size());
}

Error ReceiveFailure(const std::string& context, const std::string& text) {
  std::istringstream in(text);
  std::string kind;
  int value = 0;
  in >> kind >> value;
  in.get();
  std::string message;
  std::getline(in, message, '\0');
  const std::string what = context + ": " + message;
  if (kind == "e") return Error(std::error_code(value, std::generic_category()), what);
  if (kind == "c") return Error(std::error_code(value, ErrorCategory()), what);
  return Error(Errc::kBadArchive, what);
}

// Runs `work` in a helper that stands in the container's root as `user`, and waits for it.
void InContainer(FactoryImpl& factory, const std::string& id, const std::string& context, const std::string& path,
                 const std::string& user, const std::function<void()>& work) {
  if (path.empty() || path[0] != '/') throw ConfigError("path", "must be absolute, got \"" + path + "\"");
  const State state = factory.CurrentState(id);
  if (state.status == Status::kStopped || state.status == Status::kCreating) {
    throw Error(Errc::kBadState, context + ": the container is " + StatusName(state.status));
  }
  unique_fd init = OpenInit(state);
  unique_fd root;
  if (init) root.reset(open(("/proc/" + std::to_string(state.init_pid) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  // The root is init's only if init still lived after it was opened.
  if (!init || !root || syscall(SYS_pidfd_send_signal, init.get(), 0, nullptr, 0) != 0) {
    throw Error(Errc::kBadState, context + ": init has exited");
  }
  int namespaces = 0;
  if (state.config.HasNamespace(NamespaceType::kUser)) namespaces |= CLONE_NEWUSER;
  if (state.config.HasNamespace(NamespaceType::kMount)) namespaces |= CLONE_NEWNS;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw Error(errno, context + ": pipe");
  unique_fd failure(fds[0]), report(fds[1]);
  const pid_t host = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw Error(errno, context + ": fork");
  if (pid == 0) {
    failure.reset();
    try {
      if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != host) _exit(1);
      Enter(init.get(), namespaces, root.get(), user);
      work();
      _exit(0);
    } catch (const std::exception& e) {
      SendFailure(report.get(), e);
    }
    _exit(1);
  }
  report.reset();
  std::string text;
  char buf[512];
  for (ssize_t n; (n = read(failure.get(), buf, sizeof buf)) != 0;) {
    if (n > 0) text.append(buf, n);
    else if (errno != EINTR) break;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error(errno, context + ": wait for the helper");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  if (!text.empty()) throw ReceiveFailure(context, text);
  // SIGPIPE: the reader of StreamOut's archive went away.
  throw Error(Errc::kBadState, context + ": the helper " + DescribeWaitStatus(status));
}

// A pipe's default 64 KiB makes the two ends take turns every block; with 1 MiB (the
// most an unprivileged pipe may have) a tar streams at the speed of tar into a pipe.
// Anything else (a file, a socket), a pipe already as wide, or one the limits keep
// small, stays as it is.
void WidenPipe(int fd) {
  constexpr int kWide = 1 << 20;
  const int size = fcntl(fd, F_GETPIPE_SZ);
  if (size > 0 && size < kWide) (void)fcntl(fd, F_SETPIPE_SZ, kWide);
}

void Unpack(const std::string& dir, int tar_fd) {
  std::filesystem::create_directories(dir);
  if (chdir(dir.c_str()) != 0) ThrowErrno("enter " + dir);
  ArchivePtr in(archive_read_new(), archive_read_free);
  ArchivePtr out(archive_write_disk_new(), archive_write_free);
  if (!in || !out) throw std::bad_alloc();
  archive_read_support_format_tar(in.get());  // ustar, pax and GNU tar: no external filters
  int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_XATTR |
              ARCHIVE_EXTRACT_FFLAGS | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
              ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
  if (geteuid() == 0) flags |= ARCHIVE_EXTRACT_OWNER;  // numeric ids: no lookup (NSS, above)
  archive_write_disk_set_options(out.get(), flags);
  WidenPipe(tar_fd);
  if (archive_read_open_fd(in.get(), tar_fd, 1 << 16) != ARCHIVE_OK) ThrowArchive(in.get(), "read the archive");
  for (;;) {
    archive_entry* entry = nullptr;
    const int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) ThrowArchive(in.get(), "read the archive");
    const std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    const mode_t type = archive_entry_filetype(entry);
    // A device node would leave the devices cgroup the only wall between it and the host.
    if (type == AE_IFCHR || type == AE_IFBLK) throw std::runtime_error("entry '" + name + "': a device node");
    if (archive_write_header(out.get(), entry) < ARCHIVE_WARN) ThrowArchive(out.get(), "entry '" + name + "'");
    const void* data;
    size_t size;
    la_int64_t offset;
    int d;
    while ((d = archive_read_data_block(in.get(), &data, &size, &offset)) == ARCHIVE_OK) {
      if (archive_write_data_block(out.get(), data, size, offset) < ARCHIVE_WARN) {
        ThrowArchive(out.get(), "entry '" + name + "'");
      }
    }
    if (d != ARCHIVE_EOF) ThrowArchive(in.get(), "entry '" + name + "'");
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN) ThrowArchive(out.get(), "entry '" + name + "'");
  }
  // Directories get their modes and times last, once nothing more is written in them.
  if (archive_write_close(out.get()) != ARCHIVE_OK) ThrowArchive(out.get(), "finish");
}

void Pack(const std::string& path, int tar_fd) {
  std::string target = path;
  while (target.size() > 1 && target.back() == '/') target.pop_back();
  const std::filesystem::path p(target);
  const std::string name = target == "/" ? "." : p.filename().string();
  const std::string dir = target == "/" ? "/" : p.parent_path().string();
  if (chdir(dir.c_str()) != 0) ThrowErrno(path);
  ArchivePtr disk(archive_read_disk_new(), archive_read_free);
  ArchivePtr out(archive_write_new(), archive_write_free);
  if (!disk || !out) throw std::bad_alloc();
  // Symlinks are archived as links, the one named included; owners as numbers only.
  archive_read_disk_set_symlink_physical(disk.get());
  archive_write_set_format_pax_restricted(out.get());
  archive_write_set_bytes_per_block(out.get(), 1 << 16);
  archive_write_set_bytes_in_last_block(out.get(), 1);
  WidenPipe(tar_fd);
  if (archive_write_open_fd(out.get(), tar_fd) != ARCHIVE_OK) ThrowArchive(out.get(), "write the archive");
  if (archive_read_disk_open(disk.get(), name.c_str()) != ARCHIVE_OK) ThrowArchive(disk.get(), path);
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(), archive_entry_free);
  std::vector<char> buf(1 << 16);
  for (;;) {
    archive_entry_clear(entry.get());
    const int r = archive_read_next_header2(disk.get(), entry.get());
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) ThrowArchive(disk.get(), path);
    const std::string entry_name = archive_entry_pathname(entry.get());
    archive_read_disk_descend(disk.get());
    if (archive_write_header(out.get(), entry.get()) < ARCHIVE_WARN) ThrowArchive(out.get(), entry_name);
    if (archive_entry_filetype(entry.get()) != AE_IFREG) continue;
    for (la_ssize_t n; (n = archive_read_data(disk.get(), buf.data(), buf.size())) != 0;) {
      if (n < 0) ThrowArchive(disk.get(), entry_name);
      if (archive_write_data(out.get(), buf.data(), n) < 0) ThrowArchive(out.get(), entry_name);
    }
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK) ThrowArchive(out.get(), "write the archive");
}

}  // namespace

void Container::StreamIn(const std::string& path, int tar_fd, const std::string& user) {
  InContainer(*factory_, id_, Quoted("stream into", id_), path, user, [&] { Unpack(path, tar_fd); });
}

void Container::StreamOut(const std::string& path, int tar_fd, const std::string& user) {
  InContainer(*factory_, id_, Quoted("stream out of", id_), path, user, [&] { Pack(path, tar_fd); });
}

}  // namespace cask
