// Creates a container over a root filesystem, runs a command in it, reads its output
// and destroys the container.
//
//   hello ROOTFS [CMD...]      (as root; the default CMD prints a greeting)
#include <cask/cask.hpp>
#include <cask/init.hpp>
#include <unistd.h>

#include <iostream>

int main(int argc, char** argv) {
  cask::Init(argc, argv);  // this program is also its containers' init
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " ROOTFS [CMD...]\n";
    return 2;
  }
  try {
    auto factory = cask::Factory::New("/run/cask-examples", cask::InitArgs{"/proc/self/exe", {"init"}});
    cask::Config config = cask::DefaultConfig();
    config.root.path = argv[1];
    config.hostname = "hello";

    cask::Process process(config.process);
    process.args = {"/bin/sh", "-c", "echo hello from $(hostname), pid $$"};
    if (argc > 2) process.args.assign(argv + 2, argv + argc);
    process.out = cask::Stdio::Pipe();

    cask::ScopedContainer container(factory.Run("hello-" + std::to_string(getpid()), config, process));
    char buf[4096];
    for (ssize_t n; (n = read(process.OutPipe(), buf, sizeof(buf))) > 0;) std::cout.write(buf, n);
    cask::ExitStatus status = process.Wait();
    std::cout << "exit status " << status.ShellCode() << "\n";
    return status.ShellCode();
  } catch (const std::exception& e) {
    std::cerr << "hello: " << e.what() << "\n";
    return 1;
  }
}
