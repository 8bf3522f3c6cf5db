// The typed container configuration.
//
// Shaped after the OCI runtime-spec: its `root`, `mounts`, `process`, `hooks` and
// `linux` sections map onto these types without loss, so an OCI front end is a
// translation, not a redesign. JSON mapping: config_json.hpp. Defaults as `runc spec`
// generates them: defaults.hpp. Validation: Config::Validate() (validate.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cask {

enum class NamespaceType { kMount, kUts, kIpc, kPid, kNet, kUser, kCgroup, kTime };

// A namespace the container gets: a new one (empty path) or an existing one joined
// by its path (/proc/<pid>/ns/net, a bind-mounted /run/netns/NAME).
struct Namespace {
  NamespaceType type = NamespaceType::kMount;
  std::string path;
  bool operator==(const Namespace&) const = default;
};

// One line of /proc/<pid>/uid_map or gid_map.
struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
  bool operator==(const IdMapping&) const = default;
};

// Offset of a clock in a new time namespace ("monotonic" or "boottime").
struct TimeOffset {
  int64_t secs = 0;
  uint32_t nanosecs = 0;
  bool operator==(const TimeOffset&) const = default;
};

// A filesystem mount. `options` holds the OCI/fstab words ("nosuid", "ro", "bind",
// "rbind", "rprivate", "rro", "mode=755", ...); words that are not flags become the
// mount's data, as in runc. mount_options.hpp turns them into flags.
struct Mount {
  std::string source;
  std::string destination;
  std::string type;
  std::vector<std::string> options;
  // An idmapped bind ("idmap" or "ridmap" in options): a file owned by id k in the
  // source shows as the host id k maps to (container_id -> host_id). Empty: the
  // container's own user namespace mappings.
  std::vector<IdMapping> uid_mappings = {};  // "= {}": {source, destination, type, options} stays a full initializer
  std::vector<IdMapping> gid_mappings = {};
  bool operator==(const Mount&) const = default;
};

struct Root {
  std::string path;
  bool readonly = false;
  bool operator==(const Root&) const = default;
};

// Resource limits. An unset field leaves the kernel's value alone.
struct MemoryResources {
  std::optional<int64_t> limit;        // bytes; -1 is unlimited
  std::optional<int64_t> reservation;  // soft limit, bytes
  std::optional<int64_t> swap;         // memory + swap, bytes (v1 semantics, as OCI)
  std::optional<uint64_t> swappiness;
  std::optional<bool> disable_oom_killer;
  bool operator==(const MemoryResources&) const = default;
};

struct CpuResources {
  std::optional<uint64_t> shares;  // v1 shares; converted to weight on v2
  std::optional<int64_t> quota;    // microseconds per period; -1 is unlimited
  std::optional<uint64_t> period;  // microseconds
  std::optional<int64_t> realtime_runtime;
  std::optional<uint64_t> realtime_period;
  std::optional<uint64_t> burst;  // microseconds of unused quota a period may borrow
  std::optional<int64_t> idle;    // 1: the group runs as SCHED_IDLE (Linux 5.15)
  std::string cpus;  // cpuset list, "0-1,3"
  std::string mems;
  bool operator==(const CpuResources&) const = default;
};

struct PidsResources {
  int64_t limit = 0;  // 0 or -1: unlimited
  bool operator==(const PidsResources&) const = default;
};

struct WeightDevice {
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leaf_weight;
  bool operator==(const WeightDevice&) const = default;
};

struct ThrottleDevice {
  int64_t major = 0;
  int64_t minor = 0;
  uint64_t rate = 0;
  bool operator==(const ThrottleDevice&) const = default;
};

struct BlockIoResources {
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leaf_weight;
  std::vector<WeightDevice> weight_device;
  std::vector<ThrottleDevice> throttle_read_bps_device;
  std::vector<ThrottleDevice> throttle_write_bps_device;
  std::vector<ThrottleDevice> throttle_read_iops_device;
  std::vector<ThrottleDevice> throttle_write_iops_device;
  bool operator==(const BlockIoResources&) const = default;
};

struct HugepageLimit {
  std::string page_size;  // "2MB", "1GB"
  uint64_t limit = 0;
  bool operator==(const HugepageLimit&) const = default;
};

// A device cgroup rule: type 'a' (all), 'c' or 'b'; -1 major/minor is a wildcard;
// access is a subset of "rwm".
struct DeviceRule {
  bool allow = false;
  char type = 'a';
  int64_t major = -1;
  int64_t minor = -1;
  std::string access = "rwm";
  bool operator==(const DeviceRule&) const = default;
};

struct Resources {
  std::optional<MemoryResources> memory;
  std::optional<CpuResources> cpu;
  std::optional<PidsResources> pids;
  std::optional<BlockIoResources> block_io;
  std::vector<HugepageLimit> hugepage_limits;
  std::vector<DeviceRule> devices;
  std::map<std::string, std::string> unified;  // raw cgroup files: name -> value
  bool operator==(const Resources&) const = default;
};

struct Cgroup {
  // Relative: under the caller's own cgroup in each hierarchy. Absolute: from each
  // hierarchy's root. Empty: the container id, relative.
  std::string path;
  Resources resources;
  bool operator==(const Cgroup&) const = default;
};

// Capability names as the kernel spells them ("CAP_NET_ADMIN").
struct Capabilities {
  std::vector<std::string> bounding;
  std::vector<std::string> effective;
  std::vector<std::string> permitted;
  std::vector<std::string> inheritable;
  std::vector<std::string> ambient;
  bool operator==(const Capabilities&) const = default;
};

struct Rlimit {
  std::string type;  // "RLIMIT_NOFILE"
  uint64_t soft = 0;
  uint64_t hard = 0;
  bool operator==(const Rlimit&) const = default;
};

// A device node created in the container's /dev.
struct Device {
  std::string path;  // "/dev/fuse"
  char type = 'c';   // 'c', 'b', 'u' (unbuffered char) or 'p' (fifo)
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint32_t> file_mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  bool operator==(const Device&) const = default;
};

struct SeccompArg {
  uint32_t index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  std::string op;  // "SCMP_CMP_EQ", ...
  bool operator==(const SeccompArg&) const = default;
};

struct SeccompRule {
  std::vector<std::string> names;
  std::string action;  // "SCMP_ACT_ERRNO", ...
  std::optional<uint32_t> errno_ret;
  std::vector<SeccompArg> args;
  bool operator==(const SeccompRule&) const = default;
};

struct Seccomp {
  std::string default_action = "SCMP_ACT_ALLOW";
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  // "SCMP_ARCH_X86_64", ...
  std::vector<std::string> flags;          // "SECCOMP_FILTER_FLAG_LOG", ...
  std::vector<SeccompRule> syscalls;
  bool operator==(const Seccomp&) const = default;
};

// A network interface of the container. "loopback" needs nothing else; "veth"
// creates a pair, moves `name` into the container with its address, gateway and MTU,
// and leaves `host_name` in the caller's network namespace or in `host_netns` (a path).
struct Network {
  std::string type = "loopback";
  std::string name;        // interface name inside ("eth0")
  std::string host_name;   // host end of a veth pair
  std::string host_netns;  // path of the namespace for the host end; empty: the caller's
  std::string address;     // CIDR, "10.88.0.2/24"
  std::string host_address;  // CIDR for the host end, optional
  std::string gateway;       // default route via this address, optional
  uint32_t mtu = 0;          // 0: the kernel's default
  std::string mac_address;
  bool operator==(const Network&) const = default;
};

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int> timeout;  // seconds
  bool operator==(const Hook&) const = default;
};

// OCI lifecycle hooks; each gets the container's state as JSON on stdin.
struct Hooks {
  std::vector<Hook> prestart;  // deprecated in OCI; runs as create_runtime
  std::vector<Hook> create_runtime;
  std::vector<Hook> create_container;
  std::vector<Hook> start_container;
  std::vector<Hook> poststart;
  std::vector<Hook> poststop;
  bool operator==(const Hooks&) const = default;
};

struct ConsoleSize {
  uint16_t rows = 24;
  uint16_t cols = 80;
  bool operator==(const ConsoleSize&) const = default;
};

// What runs in the container: the OCI `process` section. Fields left unset inherit the
// container's (capabilities, rlimits, no_new_privileges, oom_score_adj).
// process.scheduler: the policy and parameters sched_setattr(2) takes.
struct Scheduler {
  std::string policy;  // "SCHED_OTHER", "SCHED_BATCH", "SCHED_FIFO", ... (scheduling.hpp)
  int nice = 0;        // -20 to 19
  uint32_t priority = 0;  // 1 to 99 for SCHED_FIFO and SCHED_RR, else 0
  std::vector<std::string> flags;  // "SCHED_FLAG_RESET_ON_FORK", ...
  uint64_t runtime = 0;   // ns: SCHED_DEADLINE
  uint64_t deadline = 0;
  uint64_t period = 0;
  bool operator==(const Scheduler&) const = default;
};

// process.ioPriority: ioprio_set(2)'s class and level.
struct IoPriority {
  std::string io_class;  // "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE" or "IOPRIO_CLASS_IDLE"
  int priority = 0;      // 0 (first served) to 7
  bool operator==(const IoPriority&) const = default;
};

// linux.personality: the execution domain personality(2) sets, "LINUX" or "LINUX32"
// (uname -m says i686 under LINUX32 on x86_64).
struct Personality {
  std::string domain;
  std::vector<std::string> flags;  // the spec defines none yet
  bool operator==(const Personality&) const = default;
};

struct ProcessConfig {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  // "uid[:gid]" or names resolved in the container's /etc/passwd and /etc/group.
  std::string user;
  std::vector<std::string> additional_groups;  // names or numbers
  std::optional<uint32_t> umask;
  bool terminal = false;
  std::optional<ConsoleSize> console_size;
  std::optional<std::vector<Rlimit>> rlimits;
  std::optional<Capabilities> capabilities;
  std::optional<bool> no_new_privileges;
  std::optional<int> oom_score_adj;
  std::optional<Scheduler> scheduler;
  std::optional<IoPriority> io_priority;
  bool operator==(const ProcessConfig&) const = default;
};

class ConfigError;

struct Config {
  Root root;
  std::string rootfs_propagation;  // "rprivate" (default when empty), "rslave", ...
  std::vector<Mount> mounts;
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uid_mappings;
  std::vector<IdMapping> gid_mappings;
  std::map<std::string, TimeOffset> time_offsets;
  std::string hostname;
  std::string domainname;
  std::map<std::string, std::string> sysctl;
  Cgroup cgroup;
  Capabilities capabilities;
  std::vector<Rlimit> rlimits;
  std::vector<Device> devices;  // in addition to the default ones
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::optional<Seccomp> seccomp;
  bool no_new_privileges = false;
  std::optional<int> oom_score_adj;
  std::optional<Personality> personality;
  std::vector<Network> networks;
  Hooks hooks;
  // Free-form metadata (OCI annotations): reported in the state and to hooks.
  std::map<std::string, std::string> labels;
  // The OCI bundle directory the config was read from (oci.hpp), reported in the state
  // and to hooks; empty for a config built in code, where root.path stands in.
  std::string bundle;
  ProcessConfig process;  // the default process: used when Run() is given no args
  // pid 1 is a small init of cask's, not the payload: it passes every signal on to the
  // payload, reaps orphans, and exits with the payload's code (128+N for signal N), as
  // `docker run --init` does. A payload that is pid 1 has no default signal actions, so
  // without this SIGINT and SIGTERM do nothing to a program that does not handle them.
  bool init = false;

  // Throws the first of Problems() (lib/host/validate.cpp).
  void Validate() const;
  // Every contradiction, each a ConfigError naming the field by its JSON path: the
  // first one of each part of the config (root, namespaces, mounts, resources, ...).
  std::vector<ConfigError> Problems() const;

  const Namespace* FindNamespace(NamespaceType type) const {
    for (const auto& ns : namespaces) {
      if (ns.type == type) return &ns;
    }
    return nullptr;
  }
  bool HasNamespace(NamespaceType type) const { return FindNamespace(type) != nullptr; }
  bool operator==(const Config&) const = default;
};

}  // namespace cask
