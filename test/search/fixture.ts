// A small synthetic index for the search tests: realistic symbols across Go, TypeScript, Python and
// Kotlin files, written through the real IndexWriter, with PageRank set by hand.
import type { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndexWriter, openWritable } from "../../src/index/store.ts";
import type { ExtractedSymbol, SymbolKind } from "../../src/parser/types.ts";

export interface Sym {
  name: string;
  kind: SymbolKind;
  container?: string;
  signature?: string;
  doc?: string;
  rank?: number;
}

export const FILES: Record<string, { lang: string; symbols: Sym[] }> = {
  "src/fmt/print.go": {
    lang: "go",
    symbols: [
      { name: "Sprintf", kind: "function", signature: "func Sprintf(format string, a ...any) string", doc: "Sprintf formats according to a format specifier and returns the resulting string.", rank: 9 },
      { name: "Sprint", kind: "function", signature: "func Sprint(a ...any) string", rank: 7 },
      { name: "Sprintln", kind: "function", signature: "func Sprintln(a ...any) string", rank: 3 },
      { name: "Printf", kind: "function", signature: "func Printf(format string, a ...any) (n int, err error)", rank: 8 },
      { name: "Fprint", kind: "function", signature: "func Fprint(w io.Writer, a ...any) (n int, err error)", rank: 2 },
      { name: "Fprintf", kind: "function", signature: "func Fprintf(w io.Writer, format string, a ...any) (n int, err error)", rank: 2 },
      { name: "Fprintln", kind: "function", signature: "func Fprintln(w io.Writer, a ...any) (n int, err error)", rank: 2 },
      { name: "SprintLimit", kind: "constant", signature: "const SprintLimit = 1 << 20", rank: 0 },
    ],
  },
  "src/net/http/server.go": {
    lang: "go",
    symbols: [
      { name: "Server", kind: "struct", signature: "type Server struct", doc: "A Server defines parameters for running an HTTP server.", rank: 10 },
      { name: "Close", kind: "method", container: "Server", signature: "func (s *Server) Close() error", doc: "Close immediately closes all active listeners.", rank: 4 },
      { name: "ListenAndServe", kind: "method", container: "Server", signature: "func (s *Server) ListenAndServe() error", doc: "ListenAndServe listens on the TCP network address.", rank: 5 },
      { name: "ListenAndServe", kind: "function", signature: "func ListenAndServe(addr string, handler Handler) error", rank: 6 },
      { name: "Serve", kind: "function", signature: "func Serve(l net.Listener, handler Handler) error", doc: "Serve accepts incoming HTTP connections on the listener.", rank: 20 },
      { name: "Handler", kind: "interface", signature: "type Handler interface", rank: 12 },
      { name: "HandlerFunc", kind: "type", signature: "type HandlerFunc func(ResponseWriter, *Request)", rank: 6 },
      { name: "ServeMux", kind: "struct", signature: "type ServeMux struct", rank: 5 },
      { name: "NewServeMux", kind: "function", signature: "func NewServeMux() *ServeMux", rank: 3 },
    ],
  },
  "src/net/conn.go": {
    lang: "go",
    symbols: [
      { name: "Conn", kind: "interface", signature: "type Conn interface", rank: 9 },
      { name: "Close", kind: "method", container: "Conn", signature: "Close() error", rank: 8 },
    ],
  },
  "src/net/http/server_test.go": {
    lang: "go",
    symbols: [
      { name: "TestServerClose", kind: "function", signature: "func TestServerClose(t *testing.T)", rank: 0.1 },
      { name: "TestListenAndServe", kind: "function", signature: "func TestListenAndServe(t *testing.T)", rank: 0.1 },
    ],
  },
  "src/encoding/json/decode.go": {
    lang: "go",
    symbols: [
      { name: "Unmarshal", kind: "function", signature: "func Unmarshal(data []byte, v any) error", doc: "Unmarshal parses the JSON-encoded data and stores the result in the value pointed to by v.", rank: 7 },
      { name: "Decoder", kind: "struct", signature: "type Decoder struct", rank: 4 },
      { name: "Decode", kind: "method", container: "Decoder", signature: "func (dec *Decoder) Decode(v any) error", rank: 1 },
      { name: "parseJSONValue", kind: "function", signature: "func parseJSONValue(data []byte) (any, error)", rank: 0.5 },
    ],
  },
  "src/encoding/xml/read.go": {
    lang: "go",
    symbols: [
      { name: "Decoder", kind: "struct", signature: "type Decoder struct", rank: 4 },
      { name: "Decode", kind: "method", container: "Decoder", signature: "func (d *Decoder) Decode(v any) error", rank: 1 },
    ],
  },
  "src/auth/login_view_model.ts": {
    lang: "typescript",
    symbols: [
      { name: "LoginViewModel", kind: "class", signature: "export class LoginViewModel", doc: "State and actions of the login screen.", rank: 5 },
      { name: "login", kind: "method", container: "LoginViewModel", signature: "async login(user: string, password: string): Promise<void>", rank: 2 },
      { name: "logout", kind: "method", container: "LoginViewModel", signature: "logout(): void", rank: 1 },
      { name: "LoginViewModelOptions", kind: "interface", signature: "export interface LoginViewModelOptions", rank: 8 },
      { name: "loginHelper", kind: "function", signature: "function loginHelper(): void", rank: 0.5 },
      { name: "viewModelScope", kind: "function", signature: "export function viewModelScope(): Scope", rank: 0.5 },
    ],
  },
  "test/auth/login_view_model.test.ts": {
    lang: "typescript",
    symbols: [
      { name: "LoginViewModelTest", kind: "class", signature: "class LoginViewModelTest", rank: 0.2 },
      { name: "testLoginViewModel", kind: "function", signature: "function testLoginViewModel(): void", rank: 0.2 },
    ],
  },
  "lib/views/model_view.py": {
    lang: "python",
    symbols: [
      { name: "ModelView", kind: "class", signature: "class ModelView(BaseView):", doc: "Renders a model as a view.", rank: 3 },
      { name: "load_view_model", kind: "function", signature: "def load_view_model(path):", rank: 1 },
      { name: "parse_json", kind: "function", signature: "def parse_json(text):", doc: "Parse a JSON document.", rank: 1 },
      { name: "close", kind: "function", signature: "def close(handle):", rank: 0.3 },
      { name: "MAX_VIEW_MODELS", kind: "constant", signature: "MAX_VIEW_MODELS = 64", rank: 0.1 },
    ],
  },
  "app/src/main/kotlin/ui/ProfileScreen.kt": {
    lang: "kotlin",
    symbols: [
      { name: "ProfileScreen", kind: "class", signature: "class ProfileScreen : Screen", rank: 1 },
      { name: "render", kind: "method", container: "ProfileScreen", signature: "fun render(state: ProfileState)", rank: 0.5 },
      { name: "rememberProfileViewModel", kind: "function", signature: "fun rememberProfileViewModel(): ProfileViewModel", rank: 0.4 },
    ],
  },
};

/** One file with many similar names, to exercise the limit. */
export const GENERATED = { path: "src/gen/generated.go", count: 250 };

export interface Fixture {
  db: Database;
  dir: string;
  close(): void;
}

export function buildFixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), "skep-search-test-"));
  const db = openWritable(join(dir, "index.db"));
  const writer = new IndexWriter(db);
  const setRank = db.prepare("UPDATE symbols SET rank = ? WHERE id = ?");
  db.transaction(() => {
    for (const [path, file] of Object.entries(FILES)) {
      const ids = writeFile(writer, path, file.lang, file.symbols);
      file.symbols.forEach((s, i) => setRank.run(s.rank ?? 0, ids[i]!));
    }
    const generated: Sym[] = [];
    for (let i = 0; i < GENERATED.count; i++) generated.push({ name: `GenValue${String(i).padStart(3, "0")}`, kind: "constant" });
    writeFile(writer, GENERATED.path, "go", generated);
  })();
  return { db, dir, close: () => (db.close(), rmSync(dir, { recursive: true, force: true })) };
}

export function writeFile(writer: IndexWriter, path: string, lang: string, syms: Sym[]): number[] {
  const symbols: ExtractedSymbol[] = syms.map((s, i) => ({
    name: s.name,
    kind: s.kind,
    container: s.container ?? null,
    line: 10 + i * 10,
    col: 0,
    endLine: 15 + i * 10,
    endCol: 1,
    signature: s.signature ?? s.name,
    doc: s.doc ?? null,
    typeRef: null,
    arity: null,
  }));
  return writer.writeParsed({ path, lang, size: 100, mtimeUs: 1 }, `hash-${path}`, { symbols, refs: [], imports: [], relations: [], syntaxErrors: 0 }, 0);
}
