// A test-only interpreter for the eBPF subset that the device program uses, run on a
// bpf_cgroup_dev_ctx as the kernel would. It throws on anything the kernel's verifier
// would refuse in such a program and this one should never contain: an unknown
// instruction, a read of an unwritten register or outside the context, a backward or
// out-of-range jump, falling off the end.
#pragma once

#include <linux/bpf.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace cask::test {

[[noreturn]] inline void Fail(size_t pc, const std::string& why) {
  throw std::runtime_error("instruction " + std::to_string(pc) + ": " + why);
}

inline uint64_t RunDeviceProgram(const std::vector<bpf_insn>& program,
                                 const bpf_cgroup_dev_ctx& ctx) {
  std::array<uint64_t, 11> reg{};
  std::array<bool, 11> set{};
  set[BPF_REG_1] = true;  // the context pointer; only loads may use it
  auto read = [&](size_t pc, uint8_t r) {
    if (r > BPF_REG_10 || !set[r]) Fail(pc, "reads unwritten register r" + std::to_string(r));
    return reg[r];
  };
  bool ctx_in_r1 = true;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const bpf_insn& insn = program[pc];
    uint8_t op = BPF_OP(insn.code);
    uint64_t k = static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
    switch (BPF_CLASS(insn.code)) {
      case BPF_LDX: {
        if (insn.code != (BPF_LDX | BPF_MEM | BPF_W) || insn.src_reg != BPF_REG_1 || !ctx_in_r1 ||
            insn.off < 0 || insn.off % 4 != 0 || insn.off + 4 > int(sizeof ctx)) {
          Fail(pc, "a load other than a word of the context");
        }
        uint32_t word;
        std::memcpy(&word, reinterpret_cast<const char*>(&ctx) + insn.off, 4);
        reg[insn.dst_reg] = word;
        set[insn.dst_reg] = true;
        if (insn.dst_reg == BPF_REG_1) ctx_in_r1 = false;
        break;
      }
      case BPF_ALU: {  // 32-bit: the result is zero-extended
        if (op != BPF_MOV && insn.dst_reg == BPF_REG_1 && ctx_in_r1)
          Fail(pc, "arithmetic on the context");
        uint32_t src =
            BPF_SRC(insn.code) == BPF_X ? uint32_t(read(pc, insn.src_reg)) : uint32_t(insn.imm);
        if (BPF_SRC(insn.code) == BPF_X && insn.src_reg == BPF_REG_1 && ctx_in_r1)
          Fail(pc, "copies the context");
        uint32_t dst = op == BPF_MOV ? 0 : uint32_t(read(pc, insn.dst_reg));
        switch (op) {
          case BPF_MOV:
            dst = src;
            break;
          case BPF_AND:
            dst &= src;
            break;
          case BPF_RSH:
            dst >>= (src & 31);
            break;
          default:
            Fail(pc, "unsupported ALU operation");
        }
        reg[insn.dst_reg] = dst;
        set[insn.dst_reg] = true;
        if (insn.dst_reg == BPF_REG_1) ctx_in_r1 = false;
        break;
      }
      case BPF_JMP: {
        if (op == BPF_EXIT) return read(pc, BPF_REG_0);
        if (BPF_SRC(insn.code) != BPF_K) Fail(pc, "unsupported jump source");
        uint64_t dst = read(pc, insn.dst_reg);
        bool taken;
        switch (op) {
          case BPF_JA:
            taken = true;
            break;
          case BPF_JEQ:
            taken = dst == k;
            break;
          case BPF_JNE:
            taken = dst != k;
            break;
          default:
            Fail(pc, "unsupported jump");
        }
        if (insn.off < 0 || pc + 1 + insn.off >= program.size())
          Fail(pc, "jumps out of range or back");
        if (taken) pc += insn.off;
        break;
      }
      default:
        Fail(pc, "unsupported instruction class");
    }
  }
  throw std::runtime_error("the program runs off its end");
}

}  // namespace cask::test
