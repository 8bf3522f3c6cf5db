#include <cask/run_json.hpp>

namespace cask {

const char* RunStatusName(RunReport::Status status) {
  switch (status) {
    case RunReport::Status::kExited: return "exited";
    case RunReport::Status::kSignaled: return "signaled";
    case RunReport::Status::kOutOfMemory: return "out_of_memory";
    case RunReport::Status::kCpuTimeLimit: return "cpu_time_limit";
    case RunReport::Status::kWallTimeLimit: return "wall_time_limit";
    case RunReport::Status::kOutputLimit: return "output_limit";
    case RunReport::Status::kSetupFailed: return "setup_failed";
  }
  return "unknown";
}

nlohmann::json ToJson(const RunReport& r) {
  nlohmann::json j = {{"status", RunStatusName(r.status)}};
  if (r.status == RunReport::Status::kSetupFailed) {
    j["setup_step"] = r.setup_step;
    j["error"] = r.error;
    return j;
  }
  if (r.exit.Signaled()) {
    j["signal"] = r.exit.signal;
  } else {
    j["exit_code"] = r.exit.code;
  }
  j["wall_time_ns"] = r.wall_time.count();
  auto put = [&](const char* key, const std::optional<uint64_t>& value) {
    if (value) j[key] = *value;
  };
  put("cpu_user_ns", r.cpu_user_ns);
  put("cpu_system_ns", r.cpu_system_ns);
  put("memory_peak", r.memory_peak);
  put("pids_peak", r.pids_peak);
  j["oom_kills"] = r.oom_kills;
  j["stdout"] = r.out;
  j["stderr"] = r.err;
  j["stdout_truncated"] = r.out_truncated;
  j["stderr_truncated"] = r.err_truncated;
  return j;
}

}  // namespace cask
