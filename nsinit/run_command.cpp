#include "run_command.hpp"

#include <cask/run_json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "command_split.hpp"

namespace {

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000 + 0.5));
}

int ExitCode(const cask::RunReport& report) {
  using S = cask::RunReport::Status;
  switch (report.status) {
    case S::kExited:
    case S::kSignaled: return report.exit.ShellCode();
    case S::kCpuTimeLimit:
    case S::kWallTimeLimit: return 124;
    case S::kOutOfMemory:
    case S::kOutputLimit: return 137;
    case S::kSetupFailed: return 125;
  }
  return 125;
}

std::string ReadInput(const std::string& file) {
  std::stringstream text;
  if (file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("run: --input " + file + ": cannot be read");
    text << in.rdbuf();
  }
  return text.str();
}

}  // namespace

RunCommand::RunCommand(CLI::App& app) {
  command_ = app.add_subcommand("run", "run a command to its end in a throwaway container, under limits");
  auto positive = CLI::PositiveNumber;
  auto size = CLI::AsSizeValue(false);  // 64m = 64 MiB
  command_->add_option("--wall-time", wall_s_, "seconds from start before it is stopped (exit 124)")->check(positive);
  command_->add_option("--cpu-time", cpu_s_, "cpu seconds of all its processes before it is stopped (exit 124)")
      ->check(positive);
  command_->add_option("--grace", grace_s_, "seconds between SIGTERM and SIGKILL at a time limit")
      ->capture_default_str();
  command_->add_option("--memory", memory_, "memory limit (k, m, g suffixes)")->transform(size);
  command_->add_option("--pids", pids_, "most processes at once")->check(positive);
  command_->add_option("--output-limit", output_, "bytes kept of stdout and of stderr; one more ends the run")
      ->transform(size);
  command_->add_option("--file-size", file_size_, "largest file a process may write")->transform(size);
  command_->add_option("--report", report_, "write the report as JSON to FILE, or to stdout with -");
  command_->add_option("--input", input_, "the command's stdin from FILE, or nsinit's with - (default: empty)");
  command_->add_option("--config", config_flags_.file, "changes to the default config, as JSON");
  command_->add_option("--rootfs", config_flags_.rootfs, "root filesystem (default: the current directory)");
  command_->add_flag("--read-only", config_flags_.read_only, "mount the root filesystem read-only");
  command_->add_option("--user,-u", user_, "user to run as: name, uid or uid:gid");
}

void RunCommand::TakeCommand(const CLI::App& app, int& argc, char** argv) {
  args_ = ::TakeCommand(app, *command_, /*leading=*/0, argc, argv);
}

cask::RunLimits RunCommand::Limits() const {
  cask::RunLimits limits;
  if (wall_s_) limits.wall_time = Millis(*wall_s_);
  if (cpu_s_) limits.cpu_time = Millis(*cpu_s_);
  limits.memory = memory_;
  limits.pids = pids_;
  limits.output = output_;
  limits.file_size = file_size_;
  limits.grace = Millis(grace_s_);
  return limits;
}

int RunCommand::Run(cask::Factory& factory) {
  if (args_.empty()) throw std::runtime_error("run: no command given (nsinit run [OPTIONS] -- CMD...)");
  cask::Config config;
  std::string input;
  try {
    config = LoadConfig(config_flags_);
    input = input_.empty() ? std::string() : ReadInput(input_);
  } catch (const std::exception& e) {
    std::cerr << "nsinit: run: " << e.what() << "\n";
    return 125;  // nsinit's own failure, as timeout and docker run say it
  }
  cask::ProcessConfig process = config.process;
  process.args = args_;
  if (!user_.empty()) process.user = user_;
  const cask::RunReport report = factory.RunToCompletion(config, process, Limits(), input);
  // Output that is not UTF-8 is shown with U+FFFD in the JSON; stdout gets it as it was.
  const std::string json = cask::ToJson(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  if (report_ == "-") {
    std::cout << json << "\n";
  } else {
    std::cout << report.out << std::flush;
    std::cerr << report.err << std::flush;
    if (!report_.empty()) {
      std::ofstream file(report_);
      file << json << "\n";
      if (!file.flush()) throw std::runtime_error("run: --report " + report_ + ": cannot be written");
    }
  }
  if (report.status == cask::RunReport::Status::kSetupFailed) {
    std::cerr << "nsinit: run: the container did not start (" << report.setup_step << "): " << report.error << "\n";
  }
  return ExitCode(report);
}
