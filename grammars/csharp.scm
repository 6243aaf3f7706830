; C# tags. Capture conventions: grammars/README.md.
; Attributes are children of the declaration they decorate, so docs and signatures need no help.

(namespace_declaration name: (_) @name) @definition.namespace
; `namespace A.B;` holds the rest of the file as its children.
(file_scoped_namespace_declaration name: (_) @name) @definition.namespace

(class_declaration name: (identifier) @name) @definition.class
(struct_declaration name: (identifier) @name) @definition.struct
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.class
(delegate_declaration name: (identifier) @name) @definition.type

; Methods and constructors (inside a type they become methods); local functions stay functions.
(method_declaration name: (identifier) @name) @definition.function
(constructor_declaration name: (identifier) @name) @definition.function
(local_function_statement name: (identifier) @name) @definition.function

; `const` fields.
(field_declaration
  (modifier) @modifier
  (variable_declaration
    (variable_declarator . (identifier) @name))
  (#eq? @modifier "const")) @definition.constant

; Calls: `F()`, `x.F()`, `F<T>()`; `nameof(x)` is an operator, not a call.
(invocation_expression
  function: [(identifier) @name
             (generic_name . (identifier) @name)
             (member_access_expression name: [(identifier) @name (generic_name . (identifier) @name)])]
  (#not-eq? @name "nameof")) @reference.call

; `new Foo(...)` calls Foo's constructor.
(object_creation_expression
  type: [(identifier) @name
         (generic_name . (identifier) @name)
         (qualified_name (identifier) @name .)]) @reference.call

; Type uses. The grammar has no type_identifier: a type is an identifier in a type position.
(_ type: [(identifier) @name
          (generic_name . (identifier) @name)
          (nullable_type (identifier) @name)
          (qualified_name (identifier) @name .)
          (array_type type: (identifier) @name)]) @reference.type
(type_argument_list [(identifier) @name (generic_name . (identifier) @name)] @reference.type)
(base_list [(identifier) @name
            (generic_name . (identifier) @name)
            (qualified_name (identifier) @name .)] @reference.type)

(using_directive [(identifier) (qualified_name)] @import)

; Fields and properties, with their declared types.
(field_declaration
  (variable_declaration
    type: (_) @type
    (variable_declarator . (identifier) @name))) @definition.field

(property_declaration
  type: (_) @type
  name: (identifier) @name) @definition.property

; `class A : B, I`: the base class and interfaces.
(class_declaration
  name: (identifier) @relation.type
  bases: (base_list (_) @relation.base))

(struct_declaration
  name: (identifier) @relation.type
  bases: (base_list (_) @relation.base))

(interface_declaration
  name: (identifier) @relation.type
  bases: (base_list (_) @relation.base))

; Parameters and locals with a declared type (`var` is read off the initialiser).
(parameter
  type: (_) @binding.type
  name: (identifier) @binding.name)

(variable_declaration
  type: (_) @binding.type
  (variable_declarator
    . (identifier) @binding.name
    (equals_value_clause (_) @binding.value)?))
