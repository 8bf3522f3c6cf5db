// The container init entry point.
//
// A host program that names itself as the init binary (InitArgs{argv0, "init"}) calls
// cask::Init(argc, argv) first thing in main(), as with libcontainer. When the program
// was started as a container's init, Init never returns; otherwise it returns at once.
#pragma once

namespace cask {

void Init(int argc, char** argv);

}  // namespace cask
