// The bpf() syscall for the device program, raw: four commands do not justify libbpf
// as a dependency, and libbpf would hide the verifier log we put into the error.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <fmt/format.h>

#include "cask/error.hpp"
#include "cask/unique_fd.hpp"
#include "cgroup/v2_devices.hpp"

namespace cask::cgroup {
namespace {

// Our programs' name: how an update tells them from programs that others attached.
constexpr char kProgramName[] = "cask_devices";

int Bpf(int cmd, bpf_attr& attr) {
  return static_cast<int>(syscall(SYS_bpf, cmd, &attr, sizeof attr));
}

uint64_t Pointer(const void* p) { return reinterpret_cast<uintptr_t>(p); }

unique_fd Load(const std::vector<bpf_insn>& program, const std::string& dir) {
  static const char license[] = "Apache-2.0";  // no GPL-only helpers are called
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.expected_attach_type = BPF_CGROUP_DEVICE;
  attr.insns = Pointer(program.data());
  attr.insn_cnt = static_cast<uint32_t>(program.size());
  attr.license = Pointer(license);
  std::memcpy(attr.prog_name, kProgramName, sizeof kProgramName);
  unique_fd fd(Bpf(BPF_PROG_LOAD, attr));
  if (fd) return fd;
  int error = errno;
  std::string what = "devices of cgroup " + dir + ": load the eBPF device program";
  if (error != EINVAL && error != EACCES) throw Error(error, what);
  // A refusal by the verifier: load again to get its reasons, which the first try did
  // not ask for since a log can fail a load that would pass (ENOSPC on old kernels).
  std::string log(1 << 16, '\0');
  attr.log_level = 1;
  attr.log_buf = Pointer(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  fd.reset(Bpf(BPF_PROG_LOAD, attr));
  if (fd) return fd;
  log.resize(std::strlen(log.c_str()));
  while (!log.empty() && log.back() == '\n') log.pop_back();
  throw Error(error, what + "; the verifier says: " + log);
}

bpf_prog_info Info(int prog_fd) {
  bpf_prog_info info{};
  bpf_attr attr{};
  attr.info.bpf_fd = static_cast<uint32_t>(prog_fd);
  attr.info.info_len = sizeof info;
  attr.info.info = Pointer(&info);
  if (Bpf(BPF_OBJ_GET_INFO_BY_FD, attr) != 0) throw Error(errno, "bpf: information on a program");
  return info;
}

// The ids of the device programs attached to `cgroup` itself.
std::vector<uint32_t> Attached(int cgroup, const std::string& dir) {
  std::vector<uint32_t> ids(64);  // BPF_CGROUP_MAX_PROGS
  bpf_attr attr{};
  attr.query.target_fd = static_cast<uint32_t>(cgroup);
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = Pointer(ids.data());
  attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
  if (Bpf(BPF_PROG_QUERY, attr) != 0) {
    throw Error(errno, "devices of cgroup " + dir + ": list the attached device programs");
  }
  ids.resize(attr.query.prog_cnt);
  return ids;
}

}  // namespace

void AttachDeviceProgram(const std::string& dir, const std::vector<bpf_insn>& program) {
  unique_fd cgroup(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cgroup) throw Error(errno, "open cgroup " + dir);
  unique_fd prog = Load(program, dir);
  uint32_t new_id = Info(prog.get()).id;
  std::vector<uint32_t> old = Attached(cgroup.get(), dir);

  bpf_attr attr{};
  attr.target_fd = static_cast<uint32_t>(cgroup.get());
  attr.attach_bpf_fd = static_cast<uint32_t>(prog.get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (Bpf(BPF_PROG_ATTACH, attr) != 0) {
    throw Error(errno, "devices of cgroup " + dir + ": attach the eBPF device program");
  }
  for (uint32_t id : old) {
    if (id == new_id) continue;
    bpf_attr by_id{};
    by_id.prog_id = id;
    unique_fd old_prog(Bpf(BPF_PROG_GET_FD_BY_ID, by_id));
    if (!old_prog && errno == ENOENT) continue;  // detached meanwhile
    if (!old_prog) throw Error(errno, fmt::format("devices of cgroup {}: open program {}", dir, id));
    if (std::strncmp(Info(old_prog.get()).name, kProgramName, BPF_OBJ_NAME_LEN) != 0) continue;
    bpf_attr detach{};  // no flags: kernels before 6.6 refuse any
    detach.target_fd = attr.target_fd;
    detach.attach_bpf_fd = static_cast<uint32_t>(old_prog.get());
    detach.attach_type = BPF_CGROUP_DEVICE;
    if (Bpf(BPF_PROG_DETACH, detach) != 0 && errno != ENOENT) {
      throw Error(errno, fmt::format("devices of cgroup {}: detach the old device program {}", dir, id));
    }
  }
  // The attached program lives as long as the cgroup holds it; our fd may go.
}

}  // namespace cask::cgroup
