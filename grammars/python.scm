; Python tags. Capture conventions: grammars/README.md.
; Decorators are handled by the engine (decorated_definition is a wrapper type).

(function_definition
  name: (identifier) @name
  return_type: (type)? @type) @definition.function

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

; `import a.b` gives "a.b", `import a.b as c` "a.b as c"; `from .x import y` gives ".x".
(import_statement
  name: [(dotted_name) @import
         (aliased_import) @import])

(import_from_statement
  module_name: [(dotted_name) (relative_import)] @import)

; `from email import utils` and `from email import _encoded_words as _ew` may import a submodule:
; "email.utils", "email._encoded_words as _ew" (the extractor joins the two and keeps only names
; written in lower case, which a module's are; a class is called through as a type).
(import_from_statement
  module_name: [(dotted_name) (relative_import)] @import.from
  name: [(dotted_name) (aliased_import)] @import.member)

; Class attributes (`x: int = 1`, `items = []`), with their annotation when written.
(class_definition
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @name
        type: (type)? @type) @definition.field)))

(class_definition
  name: (identifier) @relation.type
  superclasses: (argument_list
    [(identifier) (attribute)] @relation.base))

; Parameters, variables, and `self.x = …` (a field of the class, seen from every method).
(typed_parameter
  (identifier) @binding.name
  type: (type) @binding.type)

(typed_default_parameter
  name: (identifier) @binding.name
  type: (type) @binding.type)

(assignment
  left: [(identifier) (attribute object: (identifier) @_self attribute: (identifier))] @binding.name
  type: (type)? @binding.type
  right: (_) @binding.value
  (#not-eq? @_self "_not_self_"))

(class_definition
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @binding.name
        type: (type)? @binding.type
        right: (_)? @binding.value))))
