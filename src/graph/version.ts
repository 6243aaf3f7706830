// What the call graph makes of the same references is versioned too: bump RESOLVER_VERSION when
// a change to edges.ts, core-methods.ts or imports.ts resolves the same references to different
// edges. An index records the version its edges were resolved with; a run that finds another one
// resolves every reference again (no file is parsed again for it), since an incremental run
// re-resolves only the callers of what changed and would keep the old rules' edges elsewhere.
//
// 2: member calls (never by a repo-wide unique name), calls through an import's name, core-named
//    member calls need their type named.
// 3: in Go, TypeScript/JavaScript and Python a plain call never resolves to a method.
// 4: calls resolved through the receiver's type and its supertypes (receiver-types.ts); edges say
//    how they were resolved (edges.via).
// 5: a call through an import's name looks in that import only; Go imports name package
//    directories (exactly), never files; a plain Python or Java call resolves in its file or its
//    imports (Java constructors: the package too); receivers `()T#x.f` (a call on a field path).
// 6: a call's candidates that cannot take its argument count go, unless none can (overloads).
export const RESOLVER_VERSION = 6;
