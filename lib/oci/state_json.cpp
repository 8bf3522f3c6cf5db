// The state in runc's shape (runc state, runc list --format json), which go-runc and
// podman decode: clients know four statuses, and a stopped container has pid 0.
#include <cask/oci.hpp>

#include <nlohmann/json.hpp>

namespace cask::oci {

std::string StateJson(const State& state) {
  // podman refuses any status but these four ("unrecognized status"). A container
  // whose Create is under way has its init and is about to be created; one whose Create
  // died before it had an init is stopped (pid 0), for `delete` to remove.
  Status status = state.status;
  if (status == Status::kCreating) status = state.init_pid > 0 ? Status::kCreated : Status::kStopped;
  nlohmann::json out = {{"ociVersion", kSpecVersion},
                        {"id", state.id},
                        {"pid", status == Status::kStopped ? 0 : state.init_pid},
                        {"status", StatusName(status)},
                        {"bundle", state.config.bundle},
                        {"rootfs", state.config.root.path},
                        {"created", state.created},
                        {"owner", ""}};
  if (!state.config.labels.empty()) out["annotations"] = state.config.labels;
  return out.dump(2);
}

}  // namespace cask::oci
