; PHP tags. Capture conventions: grammars/README.md.

; `namespace A\B;` (the usual form) owns nothing: its declarations are siblings, not children.
(namespace_definition name: (namespace_name) @name) @definition.namespace

(class_declaration name: (name) @name) @definition.class
(interface_declaration name: (name) @name) @definition.interface
(trait_declaration name: (name) @name) @definition.trait
(enum_declaration name: (name) @name) @definition.enum

(function_definition name: (name) @name) @definition.function
(method_declaration name: (name) @name) @definition.function

; `const A = 1, B = 2;` at file or class level: one symbol per name on the whole declaration,
; so the doc comment above it applies.
(const_declaration (const_element (name) @name)) @definition.constant

(function_call_expression
  function: [(name) @name (qualified_name (name) @name .)]) @reference.call
(member_call_expression name: (name) @name) @reference.call
(nullsafe_member_call_expression name: (name) @name) @reference.call
(scoped_call_expression name: (name) @name) @reference.call
; `new Foo(...)` calls Foo's constructor; `new self`/`new static` name no class.
(object_creation_expression
  [(name) @name (qualified_name (name) @name .)]
  (#not-any-of? @name "self" "static" "parent")) @reference.call

(named_type [(name) @name (qualified_name (name) @name .)]
  (#not-any-of? @name "self" "static" "parent")) @reference.type
(base_clause [(name) @name (qualified_name (name) @name .)]) @reference.type
(class_interface_clause [(name) @name (qualified_name (name) @name .)]) @reference.type
(use_declaration [(name) @name (qualified_name (name) @name .)]) @reference.type
(scoped_call_expression scope: [(name) @name (qualified_name (name) @name .)]) @reference.type

; `use A\B;` gives A\B; a group `use A\{B, C};` gives its prefix A.
(namespace_use_clause [(name) (qualified_name)] @import)
(namespace_use_declaration (namespace_name) @import)

; Properties (`private Store $st;`).
(property_declaration
  (property_element (variable_name (name) @name))) @definition.property

; `class A extends B implements I`: supertypes.
(class_declaration
  name: (name) @relation.type
  (base_clause (name) @relation.base))

(class_declaration
  name: (name) @relation.type
  (class_interface_clause (name) @relation.base))
