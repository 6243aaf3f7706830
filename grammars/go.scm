; Go tags. Capture conventions: grammars/README.md.

(function_declaration
  name: (identifier) @name) @definition.function

(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [(type_identifier) @container
             (pointer_type (type_identifier) @container)
             (generic_type type: (type_identifier) @container)
             (pointer_type (generic_type type: (type_identifier) @container))]))
  name: (field_identifier) @name) @definition.function

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
    name: (field_identifier) @name) @definition.function)

(call_expression
  function: [(identifier) @name
             (selector_expression field: (field_identifier) @name)
             (parenthesized_expression (identifier) @name)
             (generic_type type: (type_identifier) @name)]) @reference.call

(type_identifier) @name @reference.type

(import_spec
  path: (interpreted_string_literal) @import)
