#include "core/seal.hpp"

#include <cask/error.hpp>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

namespace cask {

unique_fd SealedCopy(const std::string& path) {
  unique_fd source(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!source) throw Error(errno, "open init binary " + path);
  struct stat st {};
  if (fstat(source.get(), &st) != 0) throw Error(errno, "stat init binary " + path);
  unique_fd memfd(memfd_create("cask-init", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!memfd) throw Error(errno, "memfd_create for init binary");
  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n = sendfile(memfd.get(), source.get(), &offset, st.st_size - offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(n < 0 ? errno : EIO, "copy init binary " + path);
  }
  constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
  if (fcntl(memfd.get(), F_ADD_SEALS, kSeals) != 0) throw Error(errno, "seal init binary");
  return memfd;
}

}  // namespace cask
