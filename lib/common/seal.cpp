#include "common/seal.hpp"

#include <cask/error.hpp>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cask {
namespace {

unique_fd NewMemfd(const char* name) {
  unique_fd memfd(memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!memfd) throw Error(errno, std::string("memfd_create for ") + name);
  return memfd;
}

// F_SEAL_FUTURE_WRITE, not F_SEAL_WRITE: both refuse every write, writable mapping and
// hole punch from now on, and no writable mapping of a memfd made here exists to outlive
// the seal. F_SEAL_WRITE also waits for the kernel's transient page references to go,
// and gives up with EBUSY after about 150 ms: under load that failed a `docker run` in CI.
unique_fd Seal(unique_fd memfd, const char* name) {
  constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE;
  if (fcntl(memfd.get(), F_ADD_SEALS, kSeals) != 0) throw Error(errno, std::string("seal ") + name);
  return memfd;
}

}  // namespace

unique_fd SealedCopy(const std::string& path) {
  unique_fd source(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!source) throw Error(errno, "open init binary " + path);
  struct stat st {};
  if (fstat(source.get(), &st) != 0) throw Error(errno, "stat init binary " + path);
  unique_fd memfd = NewMemfd("cask-init");
  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n = sendfile(memfd.get(), source.get(), &offset, st.st_size - offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(n < 0 ? errno : EIO, "copy init binary " + path);
  }
  return Seal(std::move(memfd), "init binary");
}

unique_fd SealedBytes(const char* name, const void* data, size_t size) {
  unique_fd memfd = NewMemfd(name);
  const char* p = static_cast<const char*>(data);
  for (size_t done = 0; done < size;) {
    ssize_t n = write(memfd.get(), p + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(n < 0 ? errno : EIO, std::string("write ") + name);
    done += static_cast<size_t>(n);
  }
  return Seal(std::move(memfd), name);
}

}  // namespace cask
