// The default init helper: `cask-init init` is what every container's init runs.
#include <cask/init.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  cask::Init(argc, argv);  // returns only if this is not an init invocation
  std::fprintf(stderr, "cask-init: run by cask, not by hand\n");
  return 2;
}
