// examples/resources.cpp: limits, stats, pause and events (as root: ./resources ROOTFS)
#include <cask/cask.hpp>
#include <cask/init.hpp>

#include <iostream>

int main(int argc, char** argv) {
  cask::Init(argc, argv);
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " ROOTFS\n";
    return 2;
  }
  try {
    auto factory = cask::Factory::New("/run/cask", cask::InitArgs{"/proc/self/exe", {"init"}});
    cask::Config config = cask::DefaultConfig();
    config.root.path = argv[1];
    config.cgroup.resources.memory.emplace().limit = 256 << 20;  // applied at Create
    cask::Process process;
    process.args = {"/bin/sleep", "2"};
    cask::ScopedContainer container(factory.Run("resources", config, process));

    cask::Resources more;
    more.pids.emplace().limit = 64;
    container->Update(more);  // writes what it sets, keeps the rest; the state records it
    cask::Stats stats = container->Stats();  // cpu, memory, pids, block io, hugetlb, interfaces
    std::cout << "memory limit " << stats.memory->limit.value_or(0) << "\n";
    container->Pause();  // freezer (v1) or cgroup.freeze (v2); status "paused"
    container->Resume();

    // Lifecycle and OOM events at once, stats each second, until the payload exits.
    cask::Events events(*container, std::chrono::seconds(1));
    while (auto event = events.Next()) {
      std::cout << cask::ToJson(*event)["type"].get<std::string>() << "\n";
      if (event->type == cask::Event::Type::kExit) break;  // or Stop() from any thread
    }
    return 0;
  } catch (const cask::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
