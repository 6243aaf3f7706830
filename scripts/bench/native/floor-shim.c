// The native counterpart of bench:floor's parse and query stages, for Go only: tree-sitter's C
// runtime and the Go grammar compiled with gcc -O3, called through bun:ffi. It exists to answer one
// question with a measurement: would a native tree-sitter (instead of the WebAssembly build the
// binary ships) bring a cold index within reach of 4x ctags? See docs/benchmarks.md for how to
// build it; nothing in skep itself uses it.
#include <stdint.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_go(void);

#define EXPORT __attribute__((visibility("default")))

// One parser, query and cursor per thread: bench:floor calls from two worker threads at once.
static __thread TSParser *parser;
static __thread TSQuery *query;
static __thread TSQueryCursor *cursor;

/** Load the tags query; 0 when it compiles, -(offset + 1) of the error otherwise. */
EXPORT int32_t floor_init(const char *source, uint32_t length) {
  parser = ts_parser_new();
  ts_parser_set_language(parser, tree_sitter_go());
  uint32_t offset;
  TSQueryError error;
  query = ts_query_new(tree_sitter_go(), source, length, &offset, &error);
  if (!query) return -(int32_t)offset - 1;
  cursor = ts_query_cursor_new();
  return 0;
}

/** Parse one file and, when withQuery, run the tags query over it; returns the captures seen. */
EXPORT int32_t floor_run(const char *source, uint32_t length, int32_t withQuery) {
  TSTree *tree = ts_parser_parse_string(parser, NULL, source, length);
  if (!tree) return -1;
  int32_t captures = 0;
  if (withQuery) {
    ts_query_cursor_exec(cursor, query, ts_tree_root_node(tree));
    TSQueryMatch match;
    while (ts_query_cursor_next_match(cursor, &match)) captures += match.capture_count;
  }
  ts_tree_delete(tree);
  return captures;
}
