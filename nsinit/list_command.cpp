#include "list_command.hpp"

#include <iomanip>
#include <stdexcept>

void PrintList(const cask::Factory& factory, const cask::Labels& filter, const std::string& format,
               std::ostream& out) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& id : filter.empty() ? factory.List() : factory.List(filter)) {
    cask::State state;
    try {
      state = factory.Load(id).State();
    } catch (const cask::Error& e) {
      if (e.code() == cask::Errc::kNotFound) continue;  // destroyed since List
      // One broken state file hides none of the others.
      rows.push_back({{"id", id}, {"pid", 0}, {"status", "unreadable"}, {"created", ""}, {"rootfs", ""},
                      {"error", e.what()}});
      continue;
    }
    rows.push_back({{"id", id},
                    {"pid", state.init_pid},
                    {"status", cask::StatusName(state.status)},
                    {"created", state.created},
                    {"rootfs", state.config.root.path},
                    {"labels", state.labels}});
  }
  if (format == "json") {
    out << rows.dump(2) << "\n";
    return;
  }
  if (format != "table") throw std::runtime_error("list: --format must be table or json, got \"" + format + "\"");
  const auto row_out = [&out](const std::string& id, const std::string& pid, const std::string& status,
                              const std::string& created, const std::string& rootfs) {
    out << std::left << std::setw(32) << id << " " << std::setw(8) << pid << " " << std::setw(9) << status << " "
        << std::setw(24) << created << " " << rootfs << "\n";
  };
  row_out("ID", "PID", "STATUS", "CREATED", "ROOTFS");
  for (const auto& row : rows) {
    row_out(row["id"], std::to_string(row["pid"].get<int>()), row["status"], row["created"],
            row.contains("error") ? "(" + row["error"].get<std::string>() + ")" : row["rootfs"].get<std::string>());
  }
}
