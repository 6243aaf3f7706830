// The word lists dedup works with. Kept small and general (no entry was added to fit one labelled
// pair): function words to ignore, spellings of one verb or noun that engineering tasks use
// interchangeably, opposite operations, and words that name a platform, tier or store a task is
// aimed at. Entries are written as plain words; normalize.ts stems them once at load.

/** Words that carry no task content. Prepositions and condition words stay in the token stream
 * (guards.ts reads the phrases they open) but never count as terms. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  "a", "an", "the", "this", "that", "these", "those", "it", "its", "they", "them", "their", "we", "our", "us", "i", "me", "my", "you", "your",
  "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "has", "have", "had",
  "to", "of", "in", "on", "for", "with", "from", "by", "at", "as", "into", "onto", "within", "inside", "via", "about", "per", "than",
  "and", "or", "but", "so", "if", "when", "while", "after", "before", "because", "unless", "during", "whenever", "once", "until",
  "which", "who", "whom", "whose", "what", "where", "there", "here", "then", "also", "just", "too", "very", "some", "any", "each", "every", "all",
  "should", "must", "can", "could", "would", "will", "shall", "may", "might", "please", "need", "needs", "new", "make", "sure",
  "s", "t", "don", "doesn", "isn", "won", "didn", "aren", "etc",
]);

/** Spellings of one thing, mapped to one canonical word (the key is replaced by the value). */
export const SYNONYMS: Record<string, string> = {
  create: "add", introduce: "add", implement: "add",
  delete: "remove", drop: "remove", eliminate: "remove",
  repair: "fix",
  display: "show",
  bump: "upgrade",
  optimise: "optimize", initialise: "initialize", init: "initialize", serialise: "serialize", normalise: "normalize",
  sanitise: "sanitize", customise: "customize", authorise: "authorize", synchronise: "synchronize", prioritise: "prioritize",
  behaviour: "behavior", colour: "color", cancelled: "canceled",
  document: "doc", documentation: "doc", docs: "doc",
  configuration: "config", cfg: "config",
  repository: "repo", database: "db", authentication: "auth", application: "app", environment: "env",
  directory: "dir", folder: "dir", parameter: "param", msg: "message",
  signin: "login", signout: "logout",
};

/** Multi-word spellings folded to one word before tokenising (case-insensitive, whole words). */
export const PHRASES: [RegExp, string][] = [
  [/\bspeed(s|ing)? up\b/gi, "optimize"],
  [/\bget(ting)? rid of\b/gi, "remove"],
  [/\b(log|logs|logged|logging|sign|signs|signed|signing) in\b/gi, "login"],
  [/\b(log|logs|logged|logging|sign|signs|signed|signing) out\b/gi, "logout"],
  [/\b(sign|signs|signed|signing) up\b/gi, "signup"],
  [/\bturn(s|ed|ing)? on\b/gi, "enable"],
  [/\bturn(s|ed|ing)? off\b/gi, "disable"],
  [/\bhealthcheck(s)?\b/gi, "health check$1"],
];

/** Mixed-case product words that are not code identifiers (kept whole, not split at the humps). */
export const BRANDS: ReadonlySet<string> = new Set([
  "ios", "ipados", "macos", "watchos", "tvos", "iphone", "ipad", "github", "gitlab", "bitbucket", "oauth", "javascript", "typescript",
  "postgresql", "graphql", "mysql", "mongodb", "dynamodb", "nodejs", "vscode", "devops", "youtube", "linkedin", "webpack", "websocket",
  "websockets", "openapi", "openai", "sqlite", "mariadb", "cockroachdb", "clickhouse", "rabbitmq", "pagerduty", "testflight", "xcode",
]);

/**
 * Opposite operations: [one direction, the other]. A task doing one and a task doing the other to
 * the same thing are never duplicates, however many words they share. Besides these pairs, any
 * word against its un- form (pin/unpin, hide/unhide) is opposite too (guards.ts).
 */
export const OPPOSITES: [string[], string[]][] = [
  [["add", "create", "introduce", "implement"], ["remove", "delete", "drop", "eliminate"]],
  [["enable", "activate"], ["disable", "deactivate"]],
  [["increase", "raise", "grow"], ["decrease", "lower", "reduce", "shrink"]],
  [["show", "display"], ["hide"]],
  [["install"], ["uninstall"]],
  [["upgrade"], ["downgrade"]],
  [["start"], ["stop"]],
  [["open"], ["close"]],
  [["encrypt"], ["decrypt"]],
  [["compress"], ["decompress"]],
  [["encode"], ["decode"]],
  [["serialize"], ["deserialize"]],
  [["subscribe"], ["unsubscribe"]],
  [["connect"], ["disconnect"]],
  [["attach"], ["detach"]],
  [["allow", "permit", "whitelist", "allowlist"], ["deny", "block", "forbid", "disallow", "blacklist", "denylist"]],
  [["grant"], ["revoke"]],
  [["include"], ["exclude"]],
  [["expand"], ["collapse"]],
  [["import"], ["export"]],
  [["register"], ["deregister", "unregister"]],
];

/**
 * Words naming where a task applies: platform, tier, transport, store. Two tasks naming different
 * ones (iOS app vs backend, Postgres vs SQLite) are different work even when the rest matches.
 */
export const TARGETS: ReadonlySet<string> = new Set([
  "ios", "ipados", "android", "web", "mobile", "desktop", "windows", "macos", "linux", "iphone", "ipad", "watchos", "tvos",
  "backend", "frontend", "server", "client", "cli", "sdk", "daemon", "browser",
  "http", "grpc", "socket", "websocket", "graphql", "rest", "mcp",
  "postgres", "postgresql", "mysql", "sqlite", "redis", "mongodb", "mongo", "dynamodb", "elasticsearch", "kafka", "rabbitmq", "s3",
  "staging", "production",
  "python", "typescript", "javascript", "java", "kotlin", "swift", "rust", "ruby", "php", "golang",
]);

/**
 * Kinds of work that follow other work: "add tests for X" or "document X" is a follow-up to X,
 * not X itself. When one task names such a kind and the other does not, they differ.
 */
export const WORK_KINDS: ReadonlySet<string> = new Set(["test", "doc", "readme", "benchmark", "changelog", "example"]);

/** Words opening a phrase that says where or when (guards.ts compares same-word phrases). */
export const PHRASE_OPENERS: ReadonlySet<string> = new Set([
  "in", "on", "for", "to", "from", "into", "within", "inside", "when", "if", "while", "after", "before", "because", "unless", "during", "whenever",
]);
