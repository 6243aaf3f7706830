; Ruby tags. Capture conventions: grammars/README.md.

(module
  name: [(constant) @name (scope_resolution name: (constant) @name)]) @definition.module

(class
  name: [(constant) @name (scope_resolution name: (constant) @name)]) @definition.class

; `def x` and `def self.x` (also inside `class << self`); in a class or module they are methods.
(method name: (_) @name) @definition.function
(singleton_method name: (_) @name) @definition.function

; `Point = Struct.new(...)` defines a class, any other constant assignment a constant. Assigning
; a constant inside a method is a syntax error, so every one is at class or file level.
(assignment
  left: (constant) @name
  right: (_) @value
  (#match? @value "^(Struct|Class|Data)\\.(new|define)\\b")) @definition.class
(assignment
  left: (constant) @name
  right: (_) @value
  (#not-match? @value "^(Struct|Class|Data)\\.(new|define)\\b")) @definition.constant

; `attr_accessor :name, :email` (and attr_reader, attr_writer, attr): one property per symbol,
; named without its colon (extract.ts drops a definition name's leading `:`).
(call
  method: (identifier) @_attr
  arguments: (argument_list (simple_symbol) @name)
  (#any-of? @_attr "attr_accessor" "attr_reader" "attr_writer" "attr")) @definition.property

; Calls with an explicit method name; `require` is an import, not a call.
(call
  method: (identifier) @name
  (#not-any-of? @name "require" "require_relative")) @reference.call

(superclass (constant) @name) @reference.type
(superclass (scope_resolution name: (constant) @name)) @reference.type
(call receiver: (constant) @name) @reference.type
(call receiver: (scope_resolution name: (constant) @name)) @reference.type
(call
  method: (identifier) @mixin
  arguments: (argument_list (constant) @name)
  (#any-of? @mixin "include" "extend" "prepend")) @reference.type

(call
  method: (identifier) @require
  arguments: (argument_list . (string (string_content) @import))
  (#any-of? @require "require" "require_relative"))

; `class A < B`: the superclass.
(class
  name: (constant) @relation.type
  superclass: (superclass (constant) @relation.base))
