#include "command_split.hpp"

#include <stdexcept>

namespace {

// How many tokens the option in `token` takes from argv: 2 with its value, else 1.
int OptionTokens(const CLI::Option& option, const std::string& token) {
  return option.get_items_expected_min() > 0 && token.find('=') == std::string::npos ? 2 : 1;
}

}  // namespace

int SubcommandIndex(const CLI::App& app, int argc, char** argv) {
  int i = 1;
  while (i < argc && argv[i][0] == '-') {
    const std::string token = argv[i];
    const CLI::Option* option = app.get_option_no_throw(token.substr(0, token.find('=')));
    i += option == nullptr ? 1 : OptionTokens(*option, token);
  }
  return i;
}

std::vector<std::string> TakeCommand(const CLI::App& app, const CLI::App& sub, int leading, int& argc,
                                     char** argv) {
  int i = SubcommandIndex(app, argc, argv);
  if (i >= argc || argv[i] != sub.get_name()) return {};
  for (++i; i < argc; ++i) {
    const std::string token = argv[i];
    if (token == "--") {
      std::vector<std::string> command(argv + i + 1, argv + argc);
      argc = i;
      return command;
    }
    if (token.size() < 2 || token[0] != '-') {
      if (leading-- > 0) continue;
      break;
    }
    const std::string name = token.substr(0, token.find('='));
    const CLI::Option* option = sub.get_option_no_throw(name);
    if (option == nullptr) {
      throw std::runtime_error(sub.get_name() + ": unknown option " + name +
                               " (the command goes after " + sub.get_name() + "'s options)");
    }
    i += OptionTokens(*option, token) - 1;
  }
  std::vector<std::string> command(argv + std::min(i, argc), argv + argc);
  argc = std::min(i, argc);
  return command;
}
