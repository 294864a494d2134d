// The comments of a model file, by key path, so that load and save keep them (issue 18, item 8).
#include <algorithm>
#include <string>
#include <vector>

#include "model_file.hpp"
#include "schema.hpp"

namespace legsim::model_file {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// "# text" -> "text" (one space after '#' is the writer's, not the comment's).
std::string comment_text(std::string_view comment) {
  comment.remove_prefix(1);
  if (!comment.empty() && comment.front() == ' ') comment.remove_prefix(1);
  return std::string(trimmed(comment));
}

/// Where each table and key of the file starts (toml++ source positions), by key path. Arrays of
/// values are leaves; arrays of tables give "path.0", "path.1", ...
struct NodePlace {
  std::string path;
  const toml::node* node;
};
void list_nodes(const toml::node& n, const std::string& path, std::vector<NodePlace>& out) {
  if (!path.empty()) out.push_back({path, &n});
  if (const toml::table* t = n.as_table()) {
    for (const auto& [k, v] : *t) list_nodes(v, path.empty() ? std::string(k.str()) : path + "." + std::string(k.str()), out);
  } else if (const toml::array* a = n.as_array(); a && a->is_array_of_tables()) {
    for (std::size_t i = 0; i < a->size(); ++i) list_nodes((*a)[i], path + "." + std::to_string(i), out);
  }
}

}  // namespace

/// The comments of a file by key path: the comment lines between the previous content line and a
/// table header or key (kept by the most specific path starting on that line), and the comment
/// after a value on its last line. Lines inside multi-line strings are content, not comments.
std::map<std::string, FileNotes> collect_notes(const toml::table& root, std::string_view text) {
  const std::vector<std::string_view> lines = split_lines(text);
  std::vector<NodePlace> nodes;
  list_nodes(root, "", nodes);
  std::vector<bool> in_value(lines.size() + 2, false);  // 1-based: lines inside a multi-line value
  for (const NodePlace& n : nodes) {
    const auto& src = n.node->source();
    if (!n.node->is_table() && !n.node->is_array_of_tables())
      for (auto l = src.begin.line + 1; l <= src.end.line && l < in_value.size(); ++l) in_value[l] = true;
  }
  // The most specific path starting on each line owns the comments above that line.
  std::map<std::size_t, const NodePlace*> owner;
  for (const NodePlace& n : nodes) {
    const NodePlace*& o = owner[n.node->source().begin.line];
    if (!o || n.path.size() > o->path.size()) o = &n;
  }
  std::map<std::string, FileNotes> notes;
  for (const auto& [line, n] : owner) {
    std::vector<std::string> above;
    for (std::size_t l = line - 1; l >= 1 && l <= lines.size() && !in_value[l]; --l) {
      const std::string_view t = trimmed(lines[l - 1]);
      if (t.empty()) continue;
      if (t.front() != '#') break;
      above.insert(above.begin(), comment_text(t));
    }
    if (n->path == "model" && above == std::vector<std::string>{std::string(kDefaultHeader)}) above.clear();
    if (!above.empty()) notes[n->path].above = std::move(above);
  }
  for (const NodePlace& n : nodes) {
    if (n.node->is_table() || n.node->is_array_of_tables()) continue;
    const auto& end = n.node->source().end;
    if (end.line < 1 || end.line > lines.size()) continue;
    const std::string_view line = lines[end.line - 1];
    const std::size_t from = std::min<std::size_t>(end.column > 0 ? end.column - 1 : 0, line.size());
    const std::size_t hash = line.find('#', from);
    if (hash != std::string_view::npos) notes[n.path].after = comment_text(line.substr(hash));
  }
  return notes;
}

}  // namespace legsim::model_file
