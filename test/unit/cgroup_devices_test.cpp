// The cgroup v2 device program, run by a small interpreter of the instructions it uses,
// against the v1 meaning of a rule list.
#include <catch2/catch.hpp>

#include "cgroup/v2_devices.hpp"

namespace {

// Runs `program` on one request the way the kernel would; 1 allows, 0 denies.
int Run(const std::vector<bpf_insn>& program, uint32_t type, uint32_t access, uint32_t major, uint32_t minor) {
  const uint32_t ctx[3] = {access << 16 | type, major, minor};
  uint64_t r[11] = {};
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const bpf_insn& i = program[pc];
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W: r[i.dst_reg] = ctx[i.off / 4]; break;
      case BPF_ALU | BPF_AND | BPF_K: r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg] & static_cast<uint32_t>(i.imm)); break;
      case BPF_ALU | BPF_RSH | BPF_K: r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg]) >> i.imm; break;
      case BPF_ALU | BPF_MOV | BPF_X: r[i.dst_reg] = static_cast<uint32_t>(r[i.src_reg]); break;
      case BPF_ALU64 | BPF_MOV | BPF_K: r[i.dst_reg] = static_cast<uint64_t>(static_cast<int64_t>(i.imm)); break;
      case BPF_JMP | BPF_JNE | BPF_K: if (r[i.dst_reg] != static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off; break;
      case BPF_JMP | BPF_JEQ | BPF_K: if (r[i.dst_reg] == static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off; break;
      case BPF_JMP | BPF_EXIT: return static_cast<int>(r[0]);
      default: FAIL("unexpected instruction " << int(i.code));
    }
  }
  FAIL("the program ran off its end");
  return -1;
}

constexpr uint32_t kChar = BPF_DEVCG_DEV_CHAR, kBlock = BPF_DEVCG_DEV_BLOCK;
constexpr uint32_t kR = BPF_DEVCG_ACC_READ, kW = BPF_DEVCG_ACC_WRITE, kM = BPF_DEVCG_ACC_MKNOD;

}  // namespace

TEST_CASE("no rules deny everything") {
  auto p = cask::cgroup::DeviceProgram({});
  CHECK(Run(p, kChar, kR, 1, 3) == 0);
  CHECK(Run(p, kBlock, kW, 8, 0) == 0);
}

TEST_CASE("the last matching rule decides as in v1") {
  using cask::DeviceRule;
  // The default config's shape: deny all, allow some, then one narrower deny.
  std::vector<DeviceRule> rules = {
      {false, 'a', -1, -1, "rwm"},
      {true, 'c', 1, 3, "rwm"},   // /dev/null
      {true, 'c', 1, 5, "rw"},    // /dev/zero, no mknod
      {true, 'c', 136, -1, "rwm"},  // every /dev/pts/N
      {false, 'c', 1, 3, "w"},    // then no writing to /dev/null
      {true, 'b', 8, 0, "r"},
  };
  auto p = cask::cgroup::DeviceProgram(rules);
  CHECK(Run(p, kChar, kR, 1, 3) == 1);
  CHECK(Run(p, kChar, kW, 1, 3) == 0);
  CHECK(Run(p, kChar, kR | kW, 1, 3) == 0);
  CHECK(Run(p, kChar, kM, 1, 3) == 1);
  CHECK(Run(p, kChar, kR | kW, 1, 5) == 1);
  CHECK(Run(p, kChar, kM, 1, 5) == 0);  // asks for more than the allow rule has
  CHECK(Run(p, kChar, kW, 136, 7) == 1);
  CHECK(Run(p, kBlock, kW, 136, 7) == 0);  // the type must match
  CHECK(Run(p, kBlock, kR, 8, 0) == 1);
  CHECK(Run(p, kBlock, kW, 8, 0) == 0);
  CHECK(Run(p, kChar, kR, 1, 7) == 0);  // /dev/full: only the first rule matches
}

TEST_CASE("an allow-all rule after a deny opens everything again") {
  using cask::DeviceRule;
  auto p = cask::cgroup::DeviceProgram({{false, 'c', 1, 3, "rwm"}, {true, 'a', -1, -1, "rwm"}});
  CHECK(Run(p, kChar, kW, 1, 3) == 1);
  CHECK(Run(p, kBlock, kR | kW | kM, 259, 1) == 1);
}
