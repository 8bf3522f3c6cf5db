#include "cgroup/v2_devices.hpp"

#include <climits>
#include <cstddef>
#include <fmt/format.h>

#include "cask/error.hpp"

namespace cask::cgroup {
namespace {

constexpr uint32_t kAllAccess = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

uint32_t AccessBits(const std::string& access, const std::string& at) {
  uint32_t bits = 0;
  for (char letter : access) {
    switch (letter) {
      case 'r':
        bits |= BPF_DEVCG_ACC_READ;
        break;
      case 'w':
        bits |= BPF_DEVCG_ACC_WRITE;
        break;
      case 'm':
        bits |= BPF_DEVCG_ACC_MKNOD;
        break;
      default:
        throw Error(EINVAL, at + ".access: expected letters from \"rwm\", got \"" + access + "\"");
    }
  }
  if (bits == 0) throw Error(EINVAL, at + ".access: empty");
  return bits;
}

// A number the program compares as a 32-bit immediate; -1 is the wildcard.
int64_t DeviceNumber(int64_t n, const std::string& at) {
  if (n < -1 || n > INT32_MAX)
    throw Error(EINVAL, fmt::format("{}: {} is out of range", at, n));
  return n;
}

bool SameDevice(const DeviceFilter::Exception& a, const DeviceFilter::Exception& b) {
  return a.type == b.type && a.major == b.major && a.minor == b.minor;
}

// Adds `e`'s access to the exception with exactly its type and numbers, or appends `e`.
void AddException(std::vector<DeviceFilter::Exception>& list, const DeviceFilter::Exception& e) {
  for (auto& x : list) {
    if (SameDevice(x, e)) {
      x.access |= e.access;
      return;
    }
  }
  list.push_back(e);
}

// Takes `e`'s access from the exception with exactly its type and numbers.
void RemoveException(std::vector<DeviceFilter::Exception>& list, const DeviceFilter::Exception& e) {
  for (auto& x : list) {
    if (SameDevice(x, e)) x.access &= ~e.access;
  }
  std::erase_if(list, [](const auto& x) { return x.access == 0; });
}

// Instruction builders (the kernel's filter.h macros are not in the uapi headers).
bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn insn{};
  insn.code = code;
  insn.dst_reg = dst;
  insn.src_reg = src;
  insn.off = off;
  insn.imm = imm;
  return insn;
}
bpf_insn LoadWord(uint8_t dst, uint8_t src, int16_t off) {
  return Insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
}
bpf_insn Alu(uint8_t op, uint8_t dst, int32_t imm) {
  return Insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn MovReg(uint8_t dst, uint8_t src) {
  return Insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}
// A jump to the end of the current block; its offset is filled in when the block ends.
bpf_insn JumpOut(uint8_t op, uint8_t dst, int32_t imm) {
  return Insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn Exit() { return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

// Registers after the prologue.
constexpr uint8_t kType = BPF_REG_2, kAccess = BPF_REG_3, kMajor = BPF_REG_4, kMinor = BPF_REG_5,
                  kScratch = BPF_REG_1;

}  // namespace

DeviceFilter ReduceDeviceRules(const std::vector<DeviceRule>& rules) {
  DeviceFilter filter;
  for (size_t i = 0; i < rules.size(); ++i) {
    const DeviceRule& rule = rules[i];
    std::string at = fmt::format("devices[{}]", i);
    if (rule.type == 'a') {
      filter = DeviceFilter{.default_allow = rule.allow, .exceptions = {}};
      continue;
    }
    if (rule.type != 'b' && rule.type != 'c') {
      throw Error(EINVAL,
                  at + ".type: expected a, b or c, got \"" + std::string(1, rule.type) + "\"");
    }
    DeviceFilter::Exception e{.type = rule.type,
                              .major = DeviceNumber(rule.major, at + ".major"),
                              .minor = DeviceNumber(rule.minor, at + ".minor"),
                              .access = AccessBits(rule.access, at)};
    if (rule.allow == filter.default_allow) {
      RemoveException(filter.exceptions, e);
    } else {
      AddException(filter.exceptions, e);
    }
  }
  return filter;
}

std::vector<bpf_insn> DeviceProgram(const DeviceFilter& filter) {
  // Prologue: unpack struct bpf_cgroup_dev_ctx {u32 access_type, major, minor}, where
  // access_type is access << 16 | type.
  std::vector<bpf_insn> program = {
      LoadWord(kType, BPF_REG_1, offsetof(bpf_cgroup_dev_ctx, access_type)),
      Alu(BPF_AND, kType, 0xffff),
      LoadWord(kAccess, BPF_REG_1, offsetof(bpf_cgroup_dev_ctx, access_type)),
      Alu(BPF_RSH, kAccess, 16),
      LoadWord(kMajor, BPF_REG_1, offsetof(bpf_cgroup_dev_ctx, major)),
      LoadWord(kMinor, BPF_REG_1, offsetof(bpf_cgroup_dev_ctx, minor)),
  };
  // One block per exception: each test jumps past the block when it fails; a request
  // that passes them all gets the exception's verdict.
  for (const auto& e : filter.exceptions) {
    size_t begin = program.size();
    program.push_back(
        JumpOut(BPF_JNE, kType, e.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
    if (!filter.default_allow && e.access != kAllAccess) {
      // Allowed only when the request has no bit outside the exception's.
      program.push_back(MovReg(kScratch, kAccess));
      program.push_back(Alu(BPF_AND, kScratch, static_cast<int32_t>(~e.access & kAllAccess)));
      program.push_back(JumpOut(BPF_JNE, kScratch, 0));
    } else if (filter.default_allow) {
      // Denied when the request has any of the exception's bits.
      program.push_back(MovReg(kScratch, kAccess));
      program.push_back(Alu(BPF_AND, kScratch, static_cast<int32_t>(e.access)));
      program.push_back(JumpOut(BPF_JEQ, kScratch, 0));
    }
    if (e.major >= 0) program.push_back(JumpOut(BPF_JNE, kMajor, static_cast<int32_t>(e.major)));
    if (e.minor >= 0) program.push_back(JumpOut(BPF_JNE, kMinor, static_cast<int32_t>(e.minor)));
    program.push_back(Alu(BPF_MOV, BPF_REG_0, filter.default_allow ? 0 : 1));
    program.push_back(Exit());
    for (size_t i = begin; i < program.size(); ++i) {
      if (BPF_CLASS(program[i].code) == BPF_JMP && BPF_OP(program[i].code) != BPF_EXIT) {
        program[i].off = static_cast<int16_t>(program.size() - i - 1);
      }
    }
  }
  program.push_back(Alu(BPF_MOV, BPF_REG_0, filter.default_allow ? 1 : 0));
  program.push_back(Exit());
  return program;
}

}  // namespace cask::cgroup
