; C tags. Capture conventions: grammars/README.md.

; Functions: the name sits under zero or more pointer declarators (`char **f(void)`).
(function_definition
  declarator: [(function_declarator declarator: (identifier) @name)
               (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
               (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))]) @definition.function

; Prototypes: headers carry the API and often its docs.
(declaration
  declarator: [(function_declarator declarator: (identifier) @name)
               (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
               (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))]) @definition.function

; Structs, unions and enums with a body. `typedef struct tag {...} name;` also gives `name` on
; the same node (two symbols on one node are siblings, not nested).
(struct_specifier name: (type_identifier) @name body: (_)) @definition.struct
(union_specifier name: (type_identifier) @name body: (_)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (_)) @definition.enum
(type_definition
  type: [(struct_specifier body: (_)) (union_specifier body: (_))] @definition.struct
  declarator: (type_identifier) @name)
(type_definition
  type: (enum_specifier body: (_)) @definition.enum
  declarator: (type_identifier) @name)

; Other typedefs: aliases, opaque struct names, function pointer types.
(type_definition
  type: [(type_identifier) (primitive_type) (sized_type_specifier)
         (struct_specifier !body) (union_specifier !body) (enum_specifier !body)]
  declarator: [(type_identifier) @name
               (pointer_declarator declarator: (type_identifier) @name)
               (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (type_identifier) @name)))]) @definition.type

; Object-like macros with a value (header guards have none) and function-like macros.
(preproc_def name: (identifier) @name value: (_)) @definition.constant
(preproc_function_def name: (identifier) @name) @definition.function

; File-level `const` objects.
(translation_unit
  (declaration
    (type_qualifier) @qualifier
    declarator: (init_declarator
      declarator: [(identifier) @name
                   (pointer_declarator declarator: (identifier) @name)
                   (array_declarator declarator: (identifier) @name)])) @definition.constant
  (#eq? @qualifier "const"))

(call_expression
  function: [(identifier) @name
             (field_expression field: (field_identifier) @name)
             (parenthesized_expression (identifier) @name)]) @reference.call

(type_identifier) @name @reference.type

(preproc_include path: (_) @import)

; Struct (and class) members, with their declared types.
(field_declaration_list
  (field_declaration
    type: (_) @type
    declarator: [(field_identifier) @name
                 (pointer_declarator declarator: (field_identifier) @name)
                 (array_declarator declarator: (field_identifier) @name)]) @definition.field)
