#include "cgroup_commands.hpp"

#include <fstream>
#include <iostream>
#include <iterator>

namespace {

void AddId(CLI::App* command, std::string& id) { command->add_option("id", id, "container id")->required(); }

// Prints each event as one JSON line, flushed, until the container is destroyed;
// `stats_only`: the data of the stats events alone.
void PrintEvents(cask::Events& events, bool stats_only) {
  while (auto event = events.Next()) {
    if (stats_only && event->type != cask::Event::Type::kStats) continue;
    nlohmann::json line = cask::ToJson(*event);
    std::cout << (stats_only ? line["data"] : line).dump() << std::endl;
  }
}

}  // namespace

CgroupCommands::CgroupCommands(CLI::App& app) {
  stats_ = app.add_subcommand("stats", "print a container's resource usage as JSON");
  AddId(stats_, id_);
  stats_->add_flag("--watch,-w", watch_, "print it every --interval, one JSON object a line");
  stats_->add_option("--interval", interval_s_, "seconds between two --watch lines")->capture_default_str();

  pause_ = app.add_subcommand("pause", "freeze every process of a container");
  AddId(pause_, id_);
  resume_ = app.add_subcommand("resume", "thaw a paused container");
  AddId(resume_, id_);

  update_ = app.add_subcommand("update", "change a running container's limits");
  AddId(update_, id_);
  auto size = CLI::AsSizeValue(false);  // 64m = 64 MiB
  update_->add_option("--resources,-r", resources_file_, "a JSON file of resources, - for stdin");
  update_->add_option("--memory", memory_, "memory limit in bytes (k, m, g suffixes), -1 for none")->transform(size);
  update_->add_option("--memory-reservation", memory_reservation_, "memory soft limit")->transform(size);
  update_->add_option("--memory-swap", memory_swap_, "memory+swap limit, -1 for none")->transform(size);
  update_->add_option("--cpu-shares", cpu_shares_, "relative cpu weight");
  update_->add_option("--cpu-quota", cpu_quota_, "microseconds of cpu per period, -1 for none");
  update_->add_option("--cpu-period", cpu_period_, "the quota's period in microseconds");
  update_->add_option("--cpuset-cpus", cpuset_cpus_, "cpus to run on, as 0-2,4");
  update_->add_option("--cpuset-mems", cpuset_mems_, "memory nodes to use");
  update_->add_option("--pids-limit", pids_limit_, "most processes at once, -1 for none");
  update_->add_option("--blkio-weight", blkio_weight_, "block io weight, 10 to 1000");

  events_ = app.add_subcommand("events", "print lifecycle events, OOM kills and, every --interval, stats as JSON lines");
  AddId(events_, id_);
  events_->add_option("--interval", interval_s_, "seconds between stats lines, 0 for OOM only")
      ->capture_default_str();
}

cask::Resources CgroupCommands::UpdateResources() const {
  cask::Resources r;
  if (!resources_file_.empty()) {
    std::ifstream file;
    if (resources_file_ != "-") {
      file.open(resources_file_);
      if (!file) throw cask::Error(errno, "read " + resources_file_);
    }
    std::istream& in = resources_file_ == "-" ? std::cin : file;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) throw cask::ConfigError(resources_file_, "not valid JSON");
    r = cask::ResourcesFromJson(j);
  }
  // Flags come after the file, so a flag wins.
  auto memory = [&]() -> cask::MemoryResources& { return r.memory ? *r.memory : r.memory.emplace(); };
  if (memory_) memory().limit = memory_;
  if (memory_reservation_) memory().reservation = memory_reservation_;
  if (memory_swap_) memory().swap = memory_swap_;
  auto cpu = [&]() -> cask::CpuResources& { return r.cpu ? *r.cpu : r.cpu.emplace(); };
  if (cpu_shares_) cpu().shares = cpu_shares_;
  if (cpu_quota_) cpu().quota = cpu_quota_;
  if (cpu_period_) cpu().period = cpu_period_;
  if (!cpuset_cpus_.empty()) cpu().cpus = cpuset_cpus_;
  if (!cpuset_mems_.empty()) cpu().mems = cpuset_mems_;
  if (pids_limit_) r.pids.emplace().limit = *pids_limit_;
  if (blkio_weight_) (r.block_io ? *r.block_io : r.block_io.emplace()).weight = blkio_weight_;
  if (r == cask::Resources{}) throw cask::ConfigError("update", "no limit given");
  return r;
}

bool CgroupCommands::Run(cask::Factory& factory) {
  auto interval = std::chrono::milliseconds(static_cast<int64_t>(interval_s_ * 1000));
  if (stats_->parsed()) {
    cask::Container container = factory.Load(id_);
    if (!watch_) {
      std::cout << cask::ToJson(container.Stats()).dump(2) << "\n";
      return true;
    }
    if (interval.count() <= 0) throw cask::ConfigError("--interval", "must be above zero");
    cask::Events events(container, interval);
    PrintEvents(events, true);
  } else if (pause_->parsed()) {
    factory.Load(id_).Pause();
  } else if (resume_->parsed()) {
    factory.Load(id_).Resume();
  } else if (update_->parsed()) {
    factory.Load(id_).Update(UpdateResources());
  } else if (events_->parsed()) {
    cask::Events events(factory.Load(id_), interval);
    PrintEvents(events, false);
  } else {
    return false;
  }
  return true;
}
