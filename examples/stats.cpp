// Starts a container with a busy shell in it and prints its resource usage every second,
// for a few seconds, then destroys it.
//
//   stats ROOTFS [SECONDS]      (as root; default 5 seconds)
#include <cask/cask.hpp>
#include <cask/init.hpp>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  cask::Init(argc, argv);  // this program is also its containers' init
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " ROOTFS [SECONDS]\n";
    return 2;
  }
  int seconds = argc > 2 ? std::stoi(argv[2]) : 5;
  try {
    auto factory = cask::Factory::New("/run/cask-examples", cask::InitArgs{"/proc/self/exe", {"init"}});
    cask::Config config = cask::DefaultConfig();
    config.root.path = argv[1];
    config.cgroup.resources.memory.emplace().limit = 64 << 20;
    config.cgroup.resources.cpu.emplace().quota = 50000;  // half a cpu
    config.cgroup.resources.cpu->period = 100000;

    cask::Process process(config.process);
    process.args = {"/bin/sh", "-c", "while :; do :; done"};
    cask::ScopedContainer container(factory.Run("stats-" + std::to_string(getpid()), config, process));

    cask::Events events(*container, std::chrono::seconds(1));
    std::printf("%8s %12s %12s %6s %10s\n", "second", "cpu ms", "memory KiB", "pids", "throttled");
    for (int second = 0; second <= seconds; ++second) {  // the first line comes at once
      auto event = events.Next();
      if (!event) break;
      if (event->type != cask::Event::Type::kStats) continue;  // lifecycle and OOM events
      const cask::Stats& s = event->stats;
      std::printf("%8d %12llu %12llu %6llu %10llu\n", second,
                  static_cast<unsigned long long>(s.cpu ? s.cpu->usage_total_ns.value_or(0) / 1000000 : 0),
                  static_cast<unsigned long long>(s.memory ? s.memory->usage.value_or(0) / 1024 : 0),
                  static_cast<unsigned long long>(s.pids ? s.pids->current.value_or(0) : 0),
                  static_cast<unsigned long long>(s.cpu ? s.cpu->throttled_periods.value_or(0) : 0));
      std::fflush(stdout);
    }
    std::cout << cask::ToJson(container->Stats()).dump(2) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "stats: " << e.what() << "\n";
    return 1;
  }
}
