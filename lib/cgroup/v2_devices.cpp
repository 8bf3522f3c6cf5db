#include "cgroup/v2_devices.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "cask/error.hpp"
#include "cask/unique_fd.hpp"

namespace cask::cgroup {
namespace {

// Registers: r1 the context (struct bpf_cgroup_dev_ctx), r2 the device type, r3 the
// requested access, r4 major, r5 minor, r0 the verdict.
bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn insn{};
  insn.code = code;
  insn.dst_reg = dst & 0xf;
  insn.src_reg = src & 0xf;
  insn.off = off;
  insn.imm = imm;
  return insn;
}
bpf_insn LoadWord(uint8_t dst, int16_t off) { return Insn(BPF_LDX | BPF_MEM | BPF_W, dst, 1, off, 0); }
bpf_insn Alu32(uint8_t op, uint8_t dst, int32_t imm) { return Insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
bpf_insn Move32(uint8_t dst, uint8_t src) { return Insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn Return(int32_t verdict) { return Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, verdict); }
bpf_insn Exit() { return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }
// A jump to the next rule's block; its offset is patched when the block is complete.
bpf_insn SkipIf(uint8_t op, uint8_t reg, int32_t imm) { return Insn(BPF_JMP | op | BPF_K, reg, 0, -1, imm); }

int32_t AccessBits(const std::string& access) {
  int32_t bits = 0;
  for (char c : access) {
    bits |= c == 'r' ? BPF_DEVCG_ACC_READ : c == 'w' ? BPF_DEVCG_ACC_WRITE : c == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
  }
  return bits;
}

long Bpf(int command, bpf_attr& attr) { return syscall(SYS_bpf, command, &attr, sizeof(attr)); }

// Our programs attached to `cgroup`, by fd.
std::vector<unique_fd> AttachedPrograms(int cgroup) {
  uint32_t ids[64];
  bpf_attr attr{};
  attr.query.target_fd = static_cast<uint32_t>(cgroup);
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uint64_t>(ids);
  attr.query.prog_cnt = 64;
  if (Bpf(BPF_PROG_QUERY, attr) != 0) throw Error(errno, "query the device programs of the cgroup");
  std::vector<unique_fd> programs;
  for (uint32_t i = 0; i < attr.query.prog_cnt; ++i) {
    bpf_attr get{};
    get.prog_id = ids[i];
    unique_fd fd(static_cast<int>(Bpf(BPF_PROG_GET_FD_BY_ID, get)));
    if (!fd) throw Error(errno, "open device program " + std::to_string(ids[i]));
    programs.push_back(std::move(fd));
  }
  return programs;
}

}  // namespace

std::vector<bpf_insn> DeviceProgram(const std::vector<DeviceRule>& rules) {
  std::vector<bpf_insn> p = {
      LoadWord(2, offsetof(bpf_cgroup_dev_ctx, access_type)), Alu32(BPF_AND, 2, 0xffff),
      LoadWord(3, offsetof(bpf_cgroup_dev_ctx, access_type)), Alu32(BPF_RSH, 3, 16),
      LoadWord(4, offsetof(bpf_cgroup_dev_ctx, major)),       LoadWord(5, offsetof(bpf_cgroup_dev_ctx, minor)),
  };
  // From the last rule back: the first one that matches is the last that would in order.
  for (auto rule = rules.rbegin(); rule != rules.rend(); ++rule) {
    const size_t begin = p.size();
    if (rule->type != 'a') {
      p.push_back(SkipIf(BPF_JNE, 2, rule->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
    }
    const int32_t access = AccessBits(rule->access);
    p.push_back(Move32(1, 3));
    if (rule->allow) {
      p.push_back(Alu32(BPF_AND, 1, ~access & 7));  // asks for something the rule lacks
      p.push_back(SkipIf(BPF_JNE, 1, 0));
    } else {
      p.push_back(Alu32(BPF_AND, 1, access));  // asks for nothing the rule names
      p.push_back(SkipIf(BPF_JEQ, 1, 0));
    }
    if (rule->major >= 0) p.push_back(SkipIf(BPF_JNE, 4, static_cast<int32_t>(rule->major)));
    if (rule->minor >= 0) p.push_back(SkipIf(BPF_JNE, 5, static_cast<int32_t>(rule->minor)));
    p.push_back(Return(rule->allow ? 1 : 0));
    p.push_back(Exit());
    for (size_t i = begin; i < p.size(); ++i) {
      if (BPF_CLASS(p[i].code) == BPF_JMP && p[i].off == -1) p[i].off = static_cast<int16_t>(p.size() - i - 1);
    }
  }
  p.push_back(Return(0));
  p.push_back(Exit());
  return p;
}

void ApplyDeviceRules(const std::string& dir, const std::vector<DeviceRule>& rules) {
  const std::string context = "cgroup " + dir + ": device rules";
  std::vector<bpf_insn> program = DeviceProgram(rules);
  char log[4096] = "";
  static const char kLicense[] = "Apache-2.0";
  bpf_attr load{};
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = reinterpret_cast<uint64_t>(program.data());
  load.insn_cnt = static_cast<uint32_t>(program.size());
  load.license = reinterpret_cast<uint64_t>(kLicense);
  load.log_buf = reinterpret_cast<uint64_t>(log);
  load.log_size = sizeof(log);
  load.log_level = 1;
  unique_fd prog(static_cast<int>(Bpf(BPF_PROG_LOAD, load)));
  if (!prog) throw Error(errno, context + ": load the program (verifier: " + std::string(log) + ")");

  unique_fd cgroup(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cgroup) throw Error(errno, context + ": open " + dir);
  std::vector<unique_fd> old = AttachedPrograms(cgroup.get());
  bpf_attr attach{};
  attach.target_fd = static_cast<uint32_t>(cgroup.get());
  attach.attach_bpf_fd = static_cast<uint32_t>(prog.get());
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  if (Bpf(BPF_PROG_ATTACH, attach) != 0) throw Error(errno, context + ": attach the program");
  // The new rules are in force before the old ones go: no moment without a filter.
  for (const auto& fd : old) {
    bpf_attr detach{};
    detach.target_fd = static_cast<uint32_t>(cgroup.get());
    detach.attach_bpf_fd = static_cast<uint32_t>(fd.get());
    detach.attach_type = BPF_CGROUP_DEVICE;
    if (Bpf(BPF_PROG_DETACH, detach) != 0) throw Error(errno, context + ": detach the previous program");
  }
}

}  // namespace cask::cgroup
