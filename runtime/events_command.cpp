// events: a container's stats and OOM kills as runc prints them, one JSON line each;
// --stats prints one stats line and exits.
#include <cask/events.hpp>

#include <chrono>
#include <iostream>
#include <regex>

#include "commands.hpp"

namespace {

// A duration as Go writes one, as runc's --interval takes it: "5s", "100ms", "1m30s".
std::chrono::milliseconds ParseDuration(const std::string& text) {
  static const std::regex kPart(R"((\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))");
  static const std::map<std::string, double> kMilliseconds = {{"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3}, {"ms", 1},
                                                              {"s", 1e3},   {"m", 6e4},   {"h", 3.6e6}};
  double total = 0;
  size_t at = 0;
  for (std::sregex_iterator part(text.begin(), text.end(), kPart), end; part != end; ++part) {
    if (static_cast<size_t>(part->position()) != at) break;
    total += std::stod((*part)[1].str()) * kMilliseconds.at((*part)[2].str());
    at += static_cast<size_t>(part->length());
  }
  if (text.empty() || at != text.size()) {
    throw CommandError("--interval: invalid duration \"" + text + "\" (such as 5s, 500ms or 1m)");
  }
  if (total < 1) throw CommandError("--interval: the duration must be at least 1ms");
  return std::chrono::milliseconds(static_cast<int64_t>(total));
}

void Print(const cask::Event& event) {
  if (auto line = cask::oci::EventJson(event)) std::cout << *line << "\n" << std::flush;
}

}  // namespace

int Events(const cask::Factory& factory, const EventsOptions& options) {
  const std::chrono::milliseconds interval = ParseDuration(options.interval);
  cask::Container container = LoadContainer(factory, options.id);
  if (container.Status() == cask::Status::kStopped) {
    throw CommandError("container with id " + options.id + " is not running");
  }
  if (options.stats) {
    cask::Event event;
    event.id = options.id;
    event.time = std::chrono::system_clock::now();
    event.stats = container.Stats();
    Print(event);
    return 0;
  }
  cask::Events events(container, interval);
  while (auto event = events.Next()) {
    // runc's stream ends with the container.
    if (event->type == cask::Event::Type::kExit || event->type == cask::Event::Type::kDestroy) break;
    Print(*event);
  }
  return 0;
}
