// nsinit: run containers from the command line.
#include <cask/init.hpp>

#include <iostream>

int main(int argc, char** argv) {
  cask::Init(argc, argv);
  std::cerr << "nsinit: not yet\n";
  return 2;
}
