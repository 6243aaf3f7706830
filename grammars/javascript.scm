; JavaScript tags (also .jsx). Capture conventions: grammars/README.md.

(function_declaration
  name: (identifier) @name) @definition.function

(generator_function_declaration
  name: (identifier) @name) @definition.function

(class_declaration
  name: (identifier) @name) @definition.class

; Class members and object-literal methods.
(method_definition
  name: [(property_identifier) (private_property_identifier)] @name) @definition.method

; `handle = () => {...}` class fields are methods in all but name (bound callbacks).
(field_definition
  property: [(property_identifier) (private_property_identifier)] @name
  value: [(arrow_function) (function_expression)]) @definition.method

; Any other class field (`cache = new Map()`, `static retries = 3`, `#sent = 0`). Both patterns
; match a function-valued field; the one above comes first and wins (the optional @_value
; makes both matches end on the same node, where the earlier pattern is reported first).
(field_definition
  property: [(property_identifier) (private_property_identifier)] @name
  value: (_)? @_value) @definition.field

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

; `<OrderRow />` in .jsx renders (calls) a component; lower-case tags are HTML elements.
(jsx_opening_element
  name: (identifier) @name
  (#match? @name "^[A-Z]")) @reference.call

(jsx_self_closing_element
  name: (identifier) @name
  (#match? @name "^[A-Z]")) @reference.call

(jsx_opening_element
  name: (member_expression property: (property_identifier) @name)) @reference.call

(jsx_self_closing_element
  name: (member_expression property: (property_identifier) @name)) @reference.call

; No static types in JavaScript; `extends Base` is the one type use worth keeping.
(class_heritage
  [(identifier) @name
   (member_expression property: (property_identifier) @name)]) @reference.type

(import_statement
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
