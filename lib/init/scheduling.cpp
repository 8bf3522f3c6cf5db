#include "init/scheduling.hpp"

#include <cask/scheduling.hpp>
#include <linux/ioprio.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

#include "common/step_error.hpp"

namespace cask {
namespace {

// sched_setattr(2)'s argument, its first version (48 bytes): linux/sched/types.h
// redefines struct sched_param, which glibc's sched.h has.
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

}  // namespace

void ApplyScheduling(const Config& config, const ProcessConfig& process) {
  if (config.personality) {
    const auto domain = ValueOf(kPersonalityDomains, config.personality->domain);
    if (!domain || personality(static_cast<unsigned long>(*domain)) < 0) {
      ThrowErrno("personality", "set the domain " + config.personality->domain);
    }
  }
  if (const auto& s = process.scheduler) {
    SchedAttr attr{};
    attr.size = sizeof(attr);
    attr.sched_policy = static_cast<uint32_t>(ValueOf(kSchedulerPolicies, s->policy).value_or(0));
    for (const auto& flag : s->flags) attr.sched_flags |= ValueOf(kSchedulerFlags, flag).value_or(0);
    attr.sched_nice = s->nice;
    attr.sched_priority = s->priority;
    attr.sched_runtime = s->runtime;
    attr.sched_deadline = s->deadline;
    attr.sched_period = s->period;
    if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0) ThrowErrno("scheduler", "sched_setattr " + s->policy);
  }
  if (const auto& io = process.io_priority) {
    const auto io_class = static_cast<int>(ValueOf(kIoPriorityClasses, io->io_class).value_or(0));
    if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(io_class, io->priority)) != 0) {
      ThrowErrno("io_priority", "ioprio_set " + io->io_class);
    }
  }
}

}  // namespace cask
