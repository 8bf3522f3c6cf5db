// nsinit list: the containers under --root, as a table or as JSON.
#pragma once

#include <cask/cask.hpp>

#include <ostream>
#include <string>

// The containers with every label of `filter`; `format` is "table" (a header, then one
// row per container) or "json" (an array, each with its labels).
void PrintList(const cask::Factory& factory, const cask::Labels& filter, const std::string& format, std::ostream& out);
