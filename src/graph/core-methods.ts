// Method names of each language family's own types and standard library: arrays, maps, sets,
// strings, promises, streams, loggers. A member call with one of these names (`xs.push(v)`,
// `m.get(k)`, `d.items()`) is far more often a call on such a value than on a class of the repo
// that happens to define a method of that name, and the index does not know the receiver's type.
// So the call graph resolves such a call to a method in another file only when the calling file
// names that method's class or type somewhere (`c: Column`, `new Column()`); see edges.ts.
//
// Keyed by language family (edges.ts familyOf). Go has no methods on built-in types; C and PHP
// reach their standard library through functions, not methods.

const js = [
  // Array, Map, Set, String, Object, Promise, RegExp, iterators
  "get", "set", "has", "delete", "clear", "add", "push", "pop", "shift", "unshift", "slice", "splice",
  "concat", "join", "map", "filter", "reduce", "forEach", "find", "findIndex", "some", "every",
  "includes", "indexOf", "sort", "reverse", "keys", "values", "entries", "flat", "flatMap", "fill", "at",
  "then", "catch", "finally", "toString", "valueOf", "call", "apply", "bind", "split", "replace",
  "replaceAll", "trim", "startsWith", "endsWith", "match", "test", "exec", "charAt", "charCodeAt",
  "substring", "toLowerCase", "toUpperCase", "padStart", "padEnd", "repeat", "next",
  // console, JSON, streams and event emitters
  "log", "info", "warn", "error", "debug", "parse", "stringify", "write", "end", "on", "once", "off",
  "emit", "close", "pipe",
];

const python = [
  "append", "extend", "insert", "remove", "pop", "clear", "index", "count", "sort", "reverse", "copy",
  "get", "items", "keys", "values", "update", "setdefault", "add", "discard", "union", "intersection",
  "difference", "join", "split", "strip", "lstrip", "rstrip", "replace", "startswith", "endswith",
  "format", "lower", "upper", "encode", "decode", "find", "read", "write", "close", "readline",
  "readlines", "flush", "debug", "info", "warning", "error", "exception", "critical", "log",
];

const jvm = [
  "get", "set", "put", "add", "remove", "contains", "containsKey", "size", "isEmpty", "clear",
  "equals", "hashCode", "toString", "compareTo", "length", "charAt", "substring", "indexOf", "split",
  "trim", "replace", "startsWith", "endsWith", "stream", "map", "filter", "forEach", "collect",
  "reduce", "iterator", "next", "hasNext", "append", "close", "read", "write", "flush", "println",
  "print", "format", "of", "let", "also", "apply", "run", "takeIf", "use", "toList", "toMutableList",
  "first", "last", "getOrNull", "orEmpty", "joinToString", "debug", "info", "warn", "error",
];

const csharp = [
  "Add", "Remove", "Contains", "ContainsKey", "Clear", "ToString", "Equals", "GetHashCode", "ToList",
  "ToArray", "Select", "Where", "First", "FirstOrDefault", "Any", "All", "Count", "Dispose", "Append",
  "Split", "Trim", "Replace", "StartsWith", "EndsWith", "Substring", "IndexOf", "Format", "WriteLine",
  "Write", "ReadLine", "Read", "Close", "Flush", "ConfigureAwait", "TryGetValue", "GetValueOrDefault",
];

const swift = [
  "append", "insert", "remove", "removeAll", "contains", "map", "compactMap", "filter", "reduce",
  "forEach", "sorted", "sort", "joined", "split", "replacingOccurrences", "hasPrefix", "hasSuffix",
  "lowercased", "uppercased", "index", "firstIndex", "dropFirst", "prefix", "suffix",
];

const ruby = [
  "each", "map", "select", "reject", "find", "reduce", "inject", "each_with_index", "push", "pop",
  "shift", "unshift", "include?", "key?", "fetch", "dig", "merge", "keys", "values", "first", "last",
  "size", "length", "empty?", "nil?", "to_s", "to_i", "to_a", "to_h", "join", "split", "strip",
  "gsub", "sub", "upcase", "downcase", "freeze", "dup", "tap", "then", "info", "warn", "error", "debug",
];

const rust = [
  "unwrap", "expect", "clone", "to_string", "into", "iter", "iter_mut", "into_iter", "map", "collect",
  "push", "pop", "len", "is_empty", "get", "get_mut", "insert", "remove", "contains", "contains_key",
  "as_str", "as_ref", "borrow", "borrow_mut", "lock", "unwrap_or", "unwrap_or_else", "unwrap_or_default",
  "ok_or", "and_then", "filter", "entry", "or_insert", "extend", "join", "split", "trim", "to_owned",
  "write", "read", "flush", "send", "recv",
];

const cpp = [
  "push_back", "pop_back", "emplace_back", "begin", "end", "size", "empty", "clear", "insert", "erase",
  "find", "at", "front", "back", "c_str", "data", "reserve", "resize", "count", "get", "reset", "lock",
  "unlock", "substr", "length", "append", "swap",
];

const BY_FAMILY: Record<string, ReadonlySet<string>> = {
  js: new Set(js),
  python: new Set(python),
  jvm: new Set(jvm),
  csharp: new Set(csharp),
  swift: new Set(swift),
  ruby: new Set(ruby),
  rust: new Set(rust),
  c: new Set(cpp),
};

/** Whether `name`, called as a member (`x.name()`), is a method of the family's own types. */
export function isCoreMethod(family: string, name: string): boolean {
  return BY_FAMILY[family]?.has(name) ?? false;
}
