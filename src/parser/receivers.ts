// What one file says about the type of a call's receiver, without a compiler: `this`/`self`, a
// parameter or variable with a declared type, one initialised from a constructor (`new Client()`,
// `&Server{}`, `Server::new()`, `Client()` in Python/Kotlin/Swift) or from a call whose declared
// return type the call graph can look up, and fields (`this.store.get()`). The call graph
// (src/graph/types.ts) finishes the job across files.
//
// A receiver is written as a short string (stored with the reference, interned like a name):
//   "T"       the receiver is a T (a bare type name)
//   "()f"     the receiver is what calling f returns (f resolved as a plain call from this file)
//   "()i:f"   what calling f through the import bound as i returns (`store.New()`)
//   "()T.f"   what method f of type T returns (`Server.create()`, `Foo::new()`)
//   "T#x"     the declared type of field x of type T (`this.store` inside T, `s.store` for s: T)
//   ""        nothing known: the call graph's name rules apply

/** Languages where a method's body calls its own class's members without naming `this`. */
export const IMPLICIT_THIS: ReadonlySet<string> = new Set(["java", "kotlin", "csharp", "swift", "cpp", "ruby"]);

/** The words a method's body names its own object with. */
export const SELF_WORDS: ReadonlySet<string> = new Set(["this", "self", "$this", "cls", "Self"]);

/**
 * A type written as `*store.Store`, `List<Item>`, `Optional[Item]`, `?Item`, `&mut Item`, `"Item"`
 * names `store/Store`, `List`, `Item`, `Item`, `Item`, `Item`: the bare name, after the package or
 * module it was qualified with (`q/T`, the last part of the qualifier), which the call graph uses to
 * tell apart same-named types of different packages. A type nested in a type (`Map.Entry`,
 * `Spliterator.OfLong`) is written `Map$Entry`, as the JVM names it: Entry declared in Map.
 */
export function bareTypeName(written: string): string | null {
  let t = written.trim().replace(/^(?::|->)\s*/, "").replace(/^["'`]|["'`]$/g, "");
  // Go's `(r *Res, err error)`: the first result.
  if (t.startsWith("(") && !t.startsWith("()")) t = t.slice(1).split(",")[0]!.trim().split(/\s+/).pop()!;
  // What a wrapper holds is what code calls methods on: `Promise<Client>`, `Optional[Item]`, `Box<dyn Tr>`.
  const wrapped = /^(?:Promise|PromiseLike|Optional|Option|Result|Box|Rc|Arc|Future|Task|ValueTask|Awaitable|Coroutine|Readonly|Partial)\s*[<\[]\s*(.+)[>\]]\s*$/.exec(t);
  if (wrapped) return bareTypeName(wrapped[1]!.split(",")[0]!);
  t = t.replace(/\s*\|\s*(?:None|null|undefined)\s*$/, "").replace(/\?$/, "");
  t = t.replace(/^(?:&\s*(?:'\w+\s+)?(?:mut\s+)?|\*+|\?|\bconst\s+|\bmut\s+|\bdyn\s+|\bimpl\s+|\bref\s+|\bout\s+|\bin\s+)+/, "");
  // Cut generics and arrays off, then take the last part of a qualified name.
  const head = /^[A-Za-z_$][\w$]*(?:\s*(?:\.|::|\\)\s*[A-Za-z_$][\w$]*)*/.exec(t)?.[0];
  if (!head) return null;
  const parts = head.split(/\s*(?:\.|::|\\)\s*/);
  const name = parts.pop()!;
  const qualifier = parts.pop();
  if (/^(?:void|null|None|undefined|any|unknown|never|dynamic|var|let|val|auto|Unit|Nothing|error|bool|int|string|str)$/.test(name)) return null;
  // `[]Item`, `map[K]V`, `Item[]` and `(A, B)` are containers of the type, not the type.
  if (/^\s*[\[(]/.test(t) || /^[\w.:$]+\s*\[\s*\]/.test(t) || /^map\[/.test(t)) return null;
  if (qualifier && /^[A-Z]/.test(qualifier)) return `${qualifier}$${name}`;
  return qualifier && /^[a-z_]/.test(qualifier) && qualifier !== "crate" && qualifier !== "self" && qualifier !== "super" ? `${qualifier}/${name}` : name;
}

/**
 * The receiver an initialiser gives a variable: `new T(…)` and `T{…}` → T; `f(…)` → "()f";
 * `q.f(…)` → "()i:f" when q is an import's name, "()q.f" otherwise (q is then a type: a static
 * factory, or resolved further by the caller); `T::f(…)` → "()T.f"; Go's `x.(T)` → T. `await` and
 * `try` are peeled.
 */
export function receiverOfValue(value: string, isImport: (name: string) => boolean): string {
  let v = value.trim().replace(/^(?:await\s+|try[!?]?\s+)+/, "");
  v = v.replace(/^\(\s*/, "");
  // A list or string literal (`self._lines = []`) is the language's own: no method of the repo's.
  if (/^(?:\[|["'`])/.test(v)) return v[0] === "[" ? "list" : "str";
  let m = /^new\s+(?:[\w$]+\s*\.\s*)*([A-Za-z_$][\w$]*)\s*[<(\[{]?/.exec(v);
  if (m) return m[1]!;
  // Go composite literals (`&Server{…}`, `Server{…}`, `pkg.Server{…}`) and Rust struct expressions.
  m = /^&?\s*(?:([\w$]+)\s*\.\s*)?([A-Z_a-z][\w$]*)(?:\[[^\]]*\])?\s*\{/.exec(v);
  if (m && !/^(?:func|struct|map|interface|chan)$/.test(m[2]!)) return m[1] ? `${m[1]}/${m[2]}` : m[2]!;
  // Go's type assertion `err.(net.Error)` (whole: `err.(net.Error).Timeout()` is a call's result).
  m = /^[A-Za-z_][\w.]*\s*\.\(\s*(\*?\s*[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\s*\)\s*$/.exec(v);
  if (m) return m[1] === "type" ? "" : (bareTypeName(m[1]!) ?? "");
  m = /^([A-Za-z_$][\w$]*)\s*(?:<[^<>()]*>)?\s*::\s*([A-Za-z_$][\w$]*)\s*(?:::<[^<>()]*>)?\s*\(/.exec(v);
  if (m) return `()${m[1]}.${m[2]}`;
  m = /^([A-Za-z_$][\w$]*)\s*(?:\?\.|\.|->)\s*([A-Za-z_$][\w$]*)\s*(?:<[^<>()]*>)?\s*\(/.exec(v);
  if (m) return isImport(m[1]!) ? `()${m[1]}:${m[2]}` : `()${m[1]}.${m[2]}`;
  m = /^([A-Za-z_$][\w$]*)\s*(?:<[^<>()]*>|\[[^\]()]*\])?\s*\(/.exec(v);
  if (m) return `()${m[1]}`;
  return "";
}
