#pragma once
// What the model-file sources of src/io share beyond the schema (schema.hpp): the steps of reading
// a file, each in its own source so that each holds one idea.
#include <map>
#include <string>
#include <string_view>
#include <toml++/toml.h>

#include "legsim/model.hpp"

namespace legsim::model_file {

/// Rejects text whose dotted keys or headers have too many parts, or whose brackets nest too deep,
/// before toml++ parses it (nesting.cpp); throws ModelFileError prefixed with `origin`.
void check_nesting(std::string_view text, const std::string& origin);

/// The comments of a file by key path (notes.cpp).
std::map<std::string, FileNotes> collect_notes(const toml::table& root, std::string_view text);

/// The model of a parsed file (`text` is its source, for the comments), every key and value checked
/// (reader.cpp); throws ModelFileError prefixed with `origin`. with_params re-reads its edited
/// table through here, so an override gets the checks a file gets.
Model read_model(const toml::table& root, std::string_view text, const std::string& origin);

}  // namespace legsim::model_file
