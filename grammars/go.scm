; Go tags. Capture conventions: grammars/README.md.

(function_declaration
  name: (identifier) @name
  result: (_)? @type) @definition.function

(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [(type_identifier) @container
             (pointer_type (type_identifier) @container)
             (generic_type type: (type_identifier) @container)
             (pointer_type (generic_type type: (type_identifier) @container))]))
  name: (field_identifier) @name
  result: (_)? @type) @definition.function

(type_declaration
  (type_spec
    name: (type_identifier) @name
    type: (struct_type)) @definition.struct)

(type_declaration
  (type_spec
    name: (type_identifier) @name
    type: (interface_type)) @definition.interface)

(type_declaration
  (type_spec
    name: (type_identifier) @name
    type: [(type_identifier) (qualified_type) (pointer_type) (slice_type) (map_type)
           (array_type) (function_type) (channel_type) (generic_type)]) @definition.type)

(type_declaration
  (type_alias
    name: (type_identifier) @name) @definition.type)

(source_file
  (const_declaration
    (const_spec
      name: (identifier) @name) @definition.constant))

(interface_type
  (method_spec
    name: (field_identifier) @name
    result: (_)? @type) @definition.function)

; Struct fields, with their declared types; an embedded field is a supertype (its methods are promoted).
(field_declaration
  name: (field_identifier) @name
  type: (_) @type) @definition.field

(type_spec
  name: (type_identifier) @relation.type
  type: (struct_type
    (field_declaration_list
      (field_declaration
        !name
        type: (_) @relation.base))))

(type_spec
  name: (type_identifier) @relation.type
  type: (interface_type
    (constraint_elem . [(type_identifier) (qualified_type)] @relation.base .)))

; Receivers, parameters and variables whose type is written or can be read off their initialiser.
(parameter_declaration
  name: (identifier) @binding.name
  type: (_) @binding.type)

(var_spec
  name: (identifier) @binding.name
  type: (_)? @binding.type
  value: (expression_list . (_) @binding.value)?)

(short_var_declaration
  left: (expression_list . (identifier) @binding.name)
  right: (expression_list . (_) @binding.value))

(call_expression
  function: [(identifier) @name
             (selector_expression field: (field_identifier) @name)
             (parenthesized_expression (identifier) @name)
             (generic_type type: (type_identifier) @name)]) @reference.call

(type_identifier) @name @reference.type

(import_spec
  !name
  path: (interpreted_string_literal) @import)

; `urlpkg "net/url"` binds the package as urlpkg (the extractor writes it "net/url as urlpkg");
; `_` and `.` bind no name to call through.
((import_spec
  name: (package_identifier)
  path: (interpreted_string_literal)) @import)

(import_spec
  name: [(blank_identifier) (dot)]
  path: (interpreted_string_literal) @import)
