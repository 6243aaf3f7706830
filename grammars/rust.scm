; Rust tags. Capture conventions: grammars/README.md.

(function_item
  name: (identifier) @name
  return_type: (_)? @type) @definition.function

; Trait method signatures without a default body.
(function_signature_item
  name: (identifier) @name
  return_type: (_)? @type) @definition.function

(struct_item
  name: (type_identifier) @name) @definition.struct

(union_item
  name: (type_identifier) @name) @definition.struct

(enum_item
  name: (type_identifier) @name) @definition.enum

(trait_item
  name: (type_identifier) @name) @definition.trait

(type_item
  name: (type_identifier) @name) @definition.type

; `type Item;` declared in a trait.
(associated_type
  name: (type_identifier) @name) @definition.type

; Only inline modules: `mod foo;` just points at another file.
(mod_item
  name: (identifier) @name
  body: (declaration_list)) @definition.module

; There is no macro kind; a macro is called like a function.
(macro_definition
  name: (identifier) @name) @definition.function

; Item-level consts and statics (file, module, impl and trait level), never those inside fn bodies.
(source_file
  [(const_item name: (identifier) @name)
   (static_item name: (identifier) @name)] @definition.constant)

(declaration_list
  [(const_item name: (identifier) @name)
   (static_item name: (identifier) @name)] @definition.constant)

; `impl X` and `impl Trait for X` own their methods on behalf of X.
(impl_item
  type: [(type_identifier) @scope.name
         (generic_type type: (type_identifier) @scope.name)
         (scoped_type_identifier name: (type_identifier) @scope.name)
         (generic_type type: (scoped_type_identifier name: (type_identifier) @scope.name))
         (reference_type type: [(type_identifier) @scope.name
                                (generic_type type: (type_identifier) @scope.name)])
         ; `impl Trait for u32`, `for [T]`, `for dyn Fn()`: the type as written.
         (primitive_type) @scope.name
         (array_type) @scope.name
         (tuple_type) @scope.name
         (pointer_type) @scope.name
         (dynamic_type) @scope.name
         (function_type) @scope.name]) @scope

; `f()`, `x.f()`, `a::b::f()`, and the same with a turbofish `f::<T>()`.
(call_expression
  function: [(identifier) @name
             (field_expression field: (field_identifier) @name)
             (scoped_identifier name: (identifier) @name)
             (generic_function
               function: [(identifier) @name
                          (field_expression field: (field_identifier) @name)
                          (scoped_identifier name: (identifier) @name)])]) @reference.call

(macro_invocation
  macro: [(identifier) @name
          (scoped_identifier name: (identifier) @name)]) @reference.call

; A struct literal `Order { .. }` is Rust's constructor call.
((struct_expression
  name: [(type_identifier) @name
         (scoped_type_identifier name: (type_identifier) @name)
         (generic_type_with_turbofish type: (type_identifier) @name)]) @reference.call
  (#not-eq? @name "Self"))

((type_identifier) @name @reference.type
  (#not-eq? @name "Self"))

; `use a::b::c;` and `use a::b::c as d;` give the path; `use a::b::{c, d::e}` and `use a::b::*`
; give `a::b` and each nested path. A bare `crate`/`self`/`super` names nothing.
(use_declaration
  argument: [(scoped_identifier) (identifier)] @import)

(use_declaration
  argument: (use_as_clause path: (_) @import))

((use_wildcard
  [(scoped_identifier) (identifier)] @import)
  (#not-match? @import "^(crate|self|super)$"))

((scoped_use_list
  path: (_) @import)
  (#not-match? @import "^(crate|self|super)$"))

(use_list
  [(scoped_identifier) @import
   (use_as_clause path: (_) @import)])

; Struct fields, with their declared types.
(field_declaration
  name: (field_identifier) @name
  type: (_) @type) @definition.field

; `impl Trait for Type` and a trait's supertraits.
(impl_item
  trait: (_) @relation.base
  type: (_) @relation.type)

(trait_item
  name: (type_identifier) @relation.type
  bounds: (trait_bounds (_) @relation.base))

; Parameters and `let` bindings with a declared type or an initialiser.
(parameter
  pattern: (identifier) @binding.name
  type: (_) @binding.type)

(let_declaration
  pattern: (identifier) @binding.name
  type: (_)? @binding.type
  value: (_)? @binding.value)
