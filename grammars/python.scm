; Python tags. Capture conventions: grammars/README.md.
; Decorators are handled by the engine (decorated_definition is a wrapper type).

(function_definition
  name: (identifier) @name) @definition.function

(class_definition
  name: (identifier) @name) @definition.class

; Module-level ALL_CAPS names are constants by convention (PEP 8); `_PRIVATE` ones too.
; Two characters at least, so `T = TypeVar("T")` is not one.
(module
  (expression_statement
    (assignment
      left: (identifier) @name
      (#match? @name "^_*[A-Z][A-Z0-9_]+$")) @definition.constant))

(call
  function: [(identifier) @name
             (attribute attribute: (identifier) @name)]) @reference.call

; Annotations: `x: Item`, `-> Optional[Item]`, `models.Item`, `Item | None`. Builtin types are
; left out, as TypeScript's predefined types are.
(type
  [(identifier) @name
   (generic_type (identifier) @name)
   (attribute attribute: (identifier) @name)
   (binary_operator [(identifier) @name (attribute attribute: (identifier) @name)])]
  (#not-any-of? @name "str" "int" "float" "bool" "bytes" "complex" "object" "list" "dict" "set"
    "frozenset" "tuple" "type")) @reference.type

(class_definition
  superclasses: (argument_list
    [(identifier) @name
     (attribute attribute: (identifier) @name)] @reference.type))

; `import a.b` and `import a.b as c` give "a.b"; `from .x import y` gives ".x".
(import_statement
  name: [(dotted_name) @import
         (aliased_import name: (dotted_name) @import)])

(import_from_statement
  module_name: [(dotted_name) (relative_import)] @import)
