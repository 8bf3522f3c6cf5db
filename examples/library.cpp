// examples/library.cpp: a container from a C++ program (as root: ./library ROOTFS)
#include <cask/cask.hpp>
#include <cask/init.hpp>
#include <unistd.h>

#include <csignal>
#include <iostream>

int main(int argc, char** argv) {
  cask::Init(argc, argv);  // when this program runs as a container's init, it stays here
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " ROOTFS\n";
    return 2;
  }
  try {
    // The default init is the cask-init helper installed with the library; a program
    // can name itself instead, as here.
    auto factory = cask::Factory::New("/run/cask", cask::InitArgs{"/proc/self/exe", {"init"}});

    cask::Config config = cask::DefaultConfig();  // what `runc spec` generates
    config.root.path = argv[1];                   // e.g. /srv/rootfs
    config.hostname = "web";
    config.init = true;  // a small pid 1 that passes signals on: SIGTERM ends sh below

    cask::Process process;
    process.args = {"/bin/sh", "-c", "echo hello from $(hostname); sleep 60"};
    process.env = {"PATH=/bin:/usr/bin"};
    process.user = "root";              // or "daemon", "1000:1000": from the rootfs's /etc/passwd
    process.out = cask::Stdio::Pipe();  // Inherit, Null, Pipe or Fd(n)

    // ScopedContainer destroys the container however this block is left.
    cask::ScopedContainer container(factory.Create("web", config, process));  // init waits: created
    container->Start();                                                      // the payload runs
    char line[256];
    ssize_t n = read(process.OutPipe(), line, sizeof line);  // "hello from web"
    if (n > 0) std::cout.write(line, n) << std::flush;  // before exec writes to the same stdout

    cask::Process exec;
    exec.args = {"/bin/sh", "-c", "echo exec: pid $$, uts $(readlink /proc/self/ns/uts)"};
    container->Exec(exec);  // another process in the same namespaces and cgroup
    exec.Wait();

    std::cout << container->Processes().size() << " processes\n";
    container->Signal(SIGTERM);
    cask::ExitStatus status = process.Wait();  // exit code, or the signal that killed it
    std::cout << "exit status " << status.ShellCode() << "\n";
    return 0;
  } catch (const cask::Error& e) {  // every error names its step
    std::cerr << e.what() << "\n";
    return 1;
  }
}
