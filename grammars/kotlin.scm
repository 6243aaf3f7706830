; Kotlin tags. Capture conventions: grammars/README.md.
; The grammar (fwcd, as shipped in tree-sitter-wasms) has no field names; children are matched by type.

; One node type covers class, data/sealed/inner class, interface and enum class: the keyword tells.
; `enum class` has both keywords; the enum pattern comes first, and the first match of a node wins.
(class_declaration
  "interface"
  (type_identifier) @name) @definition.interface

(class_declaration
  "enum"
  (type_identifier) @name) @definition.enum

(class_declaration
  "class"
  (type_identifier) @name) @definition.class

(object_declaration
  (type_identifier) @name) @definition.object

; An unnamed companion object has no name to report: its members then belong to the class.
(companion_object
  (type_identifier) @name) @definition.object

; Extension functions (`fun Order.describe()`, `fun String?.orEmpty()`) are methods of the receiver.
; This pattern comes first so it wins over the plain one below for the same declaration.
(function_declaration
  [(user_type) @container
   (nullable_type (user_type) @container)]
  .
  (simple_identifier) @name) @definition.function

(function_declaration
  (simple_identifier) @name) @definition.function

; Secondary constructors have no name of their own; Kotlin spells them `constructor`.
(secondary_constructor
  "constructor" @name) @definition.function

(type_alias
  (type_identifier) @name) @definition.type

; `const` is only legal at top level and in objects, so every `const val` is a constant.
(property_declaration
  (modifiers (property_modifier) @_const)
  (variable_declaration (simple_identifier) @name)
  (#eq? @_const "const")) @definition.constant

; `foo()`, `a.b.foo()`, `a?.foo()`, and `Foo()` (a constructor call).
(call_expression
  .
  (simple_identifier) @name) @reference.call

(call_expression
  .
  (navigation_expression
    (navigation_suffix (simple_identifier) @name) .)) @reference.call

; Types in use are user_types; lower-case segments are the package of `a.b.Foo`.
((user_type
  (type_identifier) @name @reference.type)
  (#not-match? @name "^[a-z]"))

((callable_reference
  (type_identifier) @name @reference.type)
  (#not-match? @name "^[a-z]"))

(import_header
  (identifier) @import)

; Properties (`var serverVersion: String`, `val x` in a primary constructor), with their types.
(class_body
  (property_declaration
    (variable_declaration
      (simple_identifier) @name
      (user_type)? @type)) @definition.property)

(class_parameter
  (binding_pattern_kind)
  (simple_identifier) @name
  (user_type)? @type) @definition.property

; `class A : B(), I`: supertypes.
(class_declaration
  (type_identifier) @relation.type
  (delegation_specifier
    [(user_type) @relation.base
     (constructor_invocation (user_type) @relation.base)]))

; Parameters and locals with a declared type or an initialiser.
(parameter
  (simple_identifier) @binding.name
  (user_type) @binding.type)

(property_declaration
  (variable_declaration
    (simple_identifier) @binding.name
    (user_type)? @binding.type)
  (call_expression)? @binding.value)
