; Swift tags. Capture conventions: grammars/README.md.

; class_declaration covers class, struct, enum, actor and extension: the keyword tells.
(class_declaration
  declaration_kind: ["class" "actor"]
  name: (type_identifier) @name) @definition.class

(class_declaration
  declaration_kind: "struct"
  name: (type_identifier) @name) @definition.struct

(class_declaration
  declaration_kind: "enum"
  name: (type_identifier) @name) @definition.enum

(protocol_declaration
  name: (type_identifier) @name) @definition.interface

; An extension adds members to a type declared elsewhere.
(class_declaration
  declaration_kind: "extension"
  name: (user_type (type_identifier) @scope.name .)) @scope

; A function's only simple_identifier child is its name (an operator function has none), so no `name:`
; field here: with the field, tree-sitter's analysis of this one pattern took 240 ms of the query's
; compile, without it 65 (docs/benchmarks.md, "Small repos, round 4").
(function_declaration
  (simple_identifier) @name) @definition.function

(protocol_function_declaration
  name: (simple_identifier) @name) @definition.function

; Initializers have no name of their own; Swift calls them `init`.
(init_declaration
  "init" @name) @definition.function

(typealias_declaration
  name: (type_identifier) @name) @definition.type

(associatedtype_declaration
  name: (type_identifier) @name) @definition.type

(source_file
  (property_declaration
    (value_binding_pattern "let")
    name: (pattern bound_identifier: (simple_identifier) @name)) @definition.constant)

; `static let` is the type-level constant (Java's `static final`).
((property_declaration
  (modifiers (property_modifier) @_static)
  (value_binding_pattern "let")
  name: (pattern bound_identifier: (simple_identifier) @name)) @definition.constant
  (#eq? @_static "static"))

; Plain and member calls in one pattern: tree-sitter analyses each pattern against the grammar
; when the query is compiled, and two patterns under call_expression cost twice (Swift's query
; is the costliest of all to compile: docs/benchmarks.md, "Small repos").
(call_expression
  .
  [(simple_identifier) @name
   (navigation_expression
     suffix: (navigation_suffix suffix: (simple_identifier) @name))]) @reference.call

; Lower-case user types are attributes such as `@discardableResult`.
((user_type
  (type_identifier) @name @reference.type)
  (#not-match? @name "^[a-z]"))

(import_declaration
  (identifier) @import)

; Stored and computed properties of a type, with their declared types.
(class_body
  (property_declaration
    name: (pattern bound_identifier: (simple_identifier) @name)
    (type_annotation)? @type) @definition.property)

; `class A: B, P` and `extension A: Q`: supertypes and conformances.
(class_declaration
  name: [(type_identifier) (user_type)] @relation.type
  (inheritance_specifier) @relation.base)

; Locals with a declared type or an initialiser. `value: _` (any node), not `(_)` (named nodes
; only): with `(_)` this one pattern took 2–4 s to compile, against 50 ms. It also captures the
; unnamed literals `nil`, `#file`, `#line` as values, which tell no receiver type; a declared type
; still wins over a value (extract.ts), so what the extractor gives is the same.
(property_declaration
  name: (pattern bound_identifier: (simple_identifier) @binding.name)
  (type_annotation)? @binding.type
  value: _? @binding.value)
