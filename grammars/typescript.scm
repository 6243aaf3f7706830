; TypeScript tags. Capture conventions: grammars/README.md.
; TSX uses this query too, with grammars/tsx.scm appended.

(function_declaration
  name: (identifier) @name
  return_type: (type_annotation)? @type) @definition.function

(generator_function_declaration
  name: (identifier) @name) @definition.function

; Overload and `declare function` signatures have no body but are still API.
(function_signature
  name: (identifier) @name
  return_type: (type_annotation)? @type) @definition.function

(class_declaration
  name: (type_identifier) @name) @definition.class

(abstract_class_declaration
  name: (type_identifier) @name) @definition.class

; Class members, object-literal methods, abstract members, interface members and class overloads.
(method_definition
  name: [(property_identifier) (private_property_identifier)] @name
  return_type: (type_annotation)? @type) @definition.method

(abstract_method_signature
  name: [(property_identifier) (private_property_identifier)] @name
  return_type: (type_annotation)? @type) @definition.method

(method_signature
  name: [(property_identifier) (private_property_identifier)] @name
  return_type: (type_annotation)? @type) @definition.method

; `handle = () => {...}` class fields are methods in all but name (bound callbacks).
(public_field_definition
  name: [(property_identifier) (private_property_identifier)] @name
  value: [(arrow_function) (function_expression)]) @definition.method

(interface_declaration
  name: (type_identifier) @name) @definition.interface

(enum_declaration
  name: (identifier) @name) @definition.enum

(type_alias_declaration
  name: (type_identifier) @name) @definition.type

(internal_module
  name: [(identifier) (nested_identifier)] @name) @definition.namespace

; `module Foo {}`; `declare module "pkg" {}` is named by a string and left out.
(module
  name: [(identifier) (nested_identifier)] @name) @definition.module

; Top-level `const`, plain or exported. A function-valued const is a function. The constant
; pattern below matches it too; both end on the value node, where this earlier pattern's match
; is reported first and the engine keeps the first definition of a node. `const x = require("x")`
; is an import, not a constant.
(program
  [(lexical_declaration
     "const"
     (variable_declarator
       name: (identifier) @name
       value: [(arrow_function) (function_expression) (generator_function)]) @definition.function)
   (export_statement
     declaration: (lexical_declaration
       "const"
       (variable_declarator
         name: (identifier) @name
         value: [(arrow_function) (function_expression) (generator_function)]) @definition.function))])

(program
  [(lexical_declaration
     "const"
     (variable_declarator
       name: (identifier) @name
       value: (_) @_value) @definition.constant)
   (export_statement
     declaration: (lexical_declaration
       "const"
       (variable_declarator
         name: (identifier) @name
         value: (_) @_value) @definition.constant))]
  (#not-match? @_value "^(require|import)\\s*\\("))

(call_expression
  function: [(identifier) @name
             (member_expression property: [(property_identifier) (private_property_identifier)] @name)]) @reference.call

(new_expression
  constructor: [(identifier) @name
                (member_expression property: (property_identifier) @name)]) @reference.call

(type_identifier) @name @reference.type

; `extends Base` holds a value, not a type_identifier.
(extends_clause
  value: [(identifier) @name
          (member_expression property: (property_identifier) @name)]) @reference.type

(import_statement
  source: (string) @import)

(import_require_clause
  source: (string) @import)

; Re-exports: `export * from "./x"`.
(export_statement
  source: (string) @import)

(call_expression
  function: (identifier) @_require
  arguments: (arguments . (string) @import)
  (#eq? @_require "require"))

(call_expression
  function: (import)
  arguments: (arguments . (string) @import))

; Class fields and interface properties, with their declared types.
(public_field_definition
  name: [(property_identifier) (private_property_identifier)] @name
  type: (type_annotation)? @type) @definition.field

(property_signature
  name: [(property_identifier) (private_property_identifier)] @name
  type: (type_annotation)? @type) @definition.property

; `class A extends B implements I`, `interface I extends J`.
(class_declaration
  name: (type_identifier) @relation.type
  (class_heritage (extends_clause value: (_) @relation.base)))

(class_declaration
  name: (type_identifier) @relation.type
  (class_heritage (implements_clause (_) @relation.base)))

(abstract_class_declaration
  name: (type_identifier) @relation.type
  (class_heritage (extends_clause value: (_) @relation.base)))

(abstract_class_declaration
  name: (type_identifier) @relation.type
  (class_heritage (implements_clause (_) @relation.base)))

(interface_declaration
  name: (type_identifier) @relation.type
  (extends_type_clause type: (_) @relation.base))

; Parameters and variables with a declared type or an initialiser.
(required_parameter
  pattern: (identifier) @binding.name
  type: (type_annotation) @binding.type)

(optional_parameter
  pattern: (identifier) @binding.name
  type: (type_annotation) @binding.type)

(variable_declarator
  name: (identifier) @binding.name
  type: (type_annotation)? @binding.type
  value: (_)? @binding.value)
