#include <cask/init.hpp>

#include <cstring>

namespace cask {

void Init(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "init") != 0) return;
}

}  // namespace cask
