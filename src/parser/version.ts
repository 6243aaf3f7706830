// What the extraction of a given text produces is versioned: bump EXTRACTOR_VERSION whenever a
// change makes the same file yield different symbols, references or languages (a query, a grammar,
// a rule in extract.ts, docs or signatures, how a `.h` is told C or C++). An index records the
// version it was built with; a run that finds another one rebuilds it, since files whose (size,
// mtime) did not move would otherwise keep what the old extractor said about them forever.
//
// 2: `.h` headers parse as C++ when their text is C++; Kotlin `fun interface`.
// 3: member calls (`x.f()`, `x->f()`) are told from plain calls (refs.kind 2), and those through an
//    import's name (`fmt.Println()`) from the rest (refs.kind 3).
// 4: `./api/index.ts` binds `api`, as a directory's entry file.
// 5: fields and properties (kind field/property, declared type), functions' return types, supertype
//    relations, and each call's receiver hint (src/parser/receivers.ts).
// 6: Ruby attr_accessor/attr_reader/attr_writer properties, JavaScript class fields, Kotlin
//    constructor-parameter properties' signatures without the list's "("; a call through an
//    import's name keeps that name as its receiver (`strings` in `strings.Cut()`); receivers from
//    file-level variables, locals copied from a field, a call's result and `super`.
// 7: functions' parameter counts (symbols.arity) and calls' argument counts (refs.args), in Java,
//    C#, C, C++, TypeScript, Go and Python (src/parser/arity.ts); Java's `this(…)`/`super(…)` are
//    calls of the class's or the superclass's constructor.
export const EXTRACTOR_VERSION = 7;
