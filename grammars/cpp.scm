; C++ tags. Capture conventions: grammars/README.md.
; Templates need no patterns of their own: template_declaration is a wrapper type (languages.ts),
; so the class or function inside is the definition and its docs sit above the `template` line.

; Functions and in-class method bodies. The name sits under pointer/reference declarators.
(function_definition
  declarator: [(function_declarator declarator: [(identifier) (field_identifier) (destructor_name) (operator_name)] @name)
               (pointer_declarator declarator: (function_declarator declarator: [(identifier) (field_identifier) (operator_name)] @name))
               (reference_declarator (function_declarator declarator: [(identifier) (field_identifier) (operator_name)] @name))]) @definition.function

; Out-of-line members `Foo::bar()` / `ns::Foo::bar()`: the innermost scope owns them.
(function_definition
  declarator: [(function_declarator declarator: (qualified_identifier scope: (_) @container name: [(identifier) (destructor_name) (operator_name)] @name))
               (pointer_declarator declarator: (function_declarator declarator: (qualified_identifier scope: (_) @container name: [(identifier) (operator_name)] @name)))
               (reference_declarator (function_declarator declarator: (qualified_identifier scope: (_) @container name: [(identifier) (operator_name)] @name)))]) @definition.function
(function_definition
  declarator: [(function_declarator declarator: (qualified_identifier name: (qualified_identifier scope: (_) @container name: [(identifier) (destructor_name) (operator_name)] @name)))
               (pointer_declarator declarator: (function_declarator declarator: (qualified_identifier name: (qualified_identifier scope: (_) @container name: [(identifier) (operator_name)] @name))))
               (reference_declarator (function_declarator declarator: (qualified_identifier name: (qualified_identifier scope: (_) @container name: [(identifier) (operator_name)] @name))))
               (function_declarator declarator: (qualified_identifier name: (qualified_identifier name: (qualified_identifier scope: (_) @container name: [(identifier) (destructor_name) (operator_name)] @name))))]) @definition.function

; Member declarations in a class body (headers carry the API and its docs).
(field_declaration
  declarator: [(function_declarator declarator: [(field_identifier) (operator_name)] @name)
               (pointer_declarator declarator: (function_declarator declarator: [(field_identifier) (operator_name)] @name))
               (reference_declarator (function_declarator declarator: [(field_identifier) (operator_name)] @name))]) @definition.function
(field_declaration_list
  (declaration
    declarator: (function_declarator declarator: [(identifier) (destructor_name)] @name)) @definition.function)

; Prototypes, only outside function bodies: there `Lock l(mu);` parses as one.
(translation_unit
  (declaration
    declarator: [(function_declarator declarator: (identifier) @name)
                 (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
                 (reference_declarator (function_declarator declarator: (identifier) @name))]) @definition.function)
(declaration_list
  (declaration
    declarator: [(function_declarator declarator: (identifier) @name)
                 (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
                 (reference_declarator (function_declarator declarator: (identifier) @name))]) @definition.function)
(template_declaration
  (declaration
    declarator: [(function_declarator declarator: (identifier) @name)
                 (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
                 (reference_declarator (function_declarator declarator: (identifier) @name))]) @definition.function)

(namespace_definition
  name: [(namespace_identifier) (nested_namespace_specifier)] @name) @definition.namespace

; Classes, structs, unions and enums with a body. `typedef struct tag {...} name;` also gives
; `name` on the same node (two symbols on one node are siblings, not nested).
(class_specifier name: [(type_identifier) @name (template_type name: (type_identifier) @name)] body: (_)) @definition.class
(struct_specifier name: [(type_identifier) @name (template_type name: (type_identifier) @name)] body: (_)) @definition.struct
(union_specifier name: (type_identifier) @name body: (_)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (_)) @definition.enum
(type_definition
  type: [(struct_specifier body: (_)) (union_specifier body: (_))] @definition.struct
  declarator: (type_identifier) @name)
(type_definition
  type: (class_specifier body: (_)) @definition.class
  declarator: (type_identifier) @name)
(type_definition
  type: (enum_specifier body: (_)) @definition.enum
  declarator: (type_identifier) @name)

; Other typedefs: aliases, opaque struct names, function pointer types.
(type_definition
  type: [(type_identifier) (primitive_type) (sized_type_specifier) (qualified_identifier) (template_type)
         (struct_specifier !body) (union_specifier !body) (enum_specifier !body) (class_specifier !body)]
  declarator: [(type_identifier) @name
               (pointer_declarator declarator: (type_identifier) @name)
               (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (type_identifier) @name)))]) @definition.type

(alias_declaration name: (type_identifier) @name) @definition.type

(preproc_def name: (identifier) @name value: (_)) @definition.constant
(preproc_function_def name: (identifier) @name) @definition.function

; File- and namespace-level `const`/`constexpr` objects.
(translation_unit
  (declaration
    (type_qualifier) @qualifier
    declarator: (init_declarator
      declarator: [(identifier) @name
                   (pointer_declarator declarator: (identifier) @name)
                   (array_declarator declarator: (identifier) @name)])) @definition.constant
  (#any-of? @qualifier "const" "constexpr"))
(namespace_definition
  body: (declaration_list
    (declaration
      (type_qualifier) @qualifier
      declarator: (init_declarator
        declarator: [(identifier) @name
                     (pointer_declarator declarator: (identifier) @name)
                     (array_declarator declarator: (identifier) @name)])) @definition.constant)
  (#any-of? @qualifier "const" "constexpr"))

(call_expression
  function: [(identifier) @name
             (template_function name: (identifier) @name)
             (qualified_identifier name: [(identifier) @name (template_function name: (identifier) @name)])
             (qualified_identifier name: (qualified_identifier name: [(identifier) @name (template_function name: (identifier) @name)]))
             (field_expression field: [(field_identifier) @name
                                       (template_method name: (field_identifier) @name)
                                       (dependent_name (template_method name: (field_identifier) @name))])
             (parenthesized_expression (identifier) @name)]) @reference.call

; `new Foo(...)` calls Foo's constructor.
(new_expression
  type: [(type_identifier) @name
         (qualified_identifier name: (type_identifier) @name)
         (template_type name: (type_identifier) @name)]) @reference.call

(type_identifier) @name @reference.type

(preproc_include path: (_) @import)

; Struct (and class) members, with their declared types.
(field_declaration_list
  (field_declaration
    type: (_) @type
    declarator: [(field_identifier) @name
                 (pointer_declarator declarator: (field_identifier) @name)
                 (array_declarator declarator: (field_identifier) @name)]) @definition.field)

; `class A : public B`: base classes.
(class_specifier
  name: (type_identifier) @relation.type
  (base_class_clause [(type_identifier) (qualified_identifier) (template_type)] @relation.base))

(struct_specifier
  name: (type_identifier) @relation.type
  (base_class_clause [(type_identifier) (qualified_identifier) (template_type)] @relation.base))

; Parameters with a declared type.
(parameter_declaration
  type: (_) @binding.type
  declarator: [(identifier) @binding.name
               (pointer_declarator declarator: (identifier) @binding.name)
               (reference_declarator (identifier) @binding.name)])
