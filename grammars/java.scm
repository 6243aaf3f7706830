; Java tags. Capture conventions: grammars/README.md.

(class_declaration
  name: (identifier) @name) @definition.class

; Records are classes with a canonical constructor; they hold methods like any class.
(record_declaration
  name: (identifier) @name) @definition.class

(interface_declaration
  name: (identifier) @name) @definition.interface

; `@interface Foo` declares an annotation type, an interface as far as callers are concerned.
(annotation_type_declaration
  name: (identifier) @name) @definition.interface

(enum_declaration
  name: (identifier) @name) @definition.enum

; Methods, abstract interface methods and annotation elements all become methods of their type.
(method_declaration
  type: (_) @type
  name: (identifier) @name) @definition.function

(annotation_type_element_declaration
  name: (identifier) @name) @definition.function

; A constructor is named after its class.
(constructor_declaration
  name: (identifier) @name) @definition.function

(compact_constructor_declaration
  name: (identifier) @name) @definition.function

; Java has no top-level constants: `static final` fields are the class-level equivalent.
(field_declaration
  (modifiers) @_mods
  type: (_) @type
  declarator: (variable_declarator
    name: (identifier) @name)
  (#match? @_mods "\\bstatic\\b")
  (#match? @_mods "\\bfinal\\b")) @definition.constant

(method_invocation
  name: (identifier) @name) @reference.call

; `this(…)` and `super(…)` in a constructor call a constructor of the class or its superclass
; (the extractor names the call after that class).
(explicit_constructor_invocation
  constructor: [(this) (super)] @name) @reference.call

; `new Foo<>()` and `new a.b.Foo()` call Foo's constructor.
(object_creation_expression
  type: [(type_identifier) @name
         (generic_type [(type_identifier) @name
                        (scoped_type_identifier (type_identifier) @name .)])
         (scoped_type_identifier (type_identifier) @name .)]) @reference.call

; Methods of an anonymous class (`new Runnable() { public void run() {} }`) belong to its type.
(object_creation_expression
  type: [(type_identifier) @scope.name
         (generic_type [(type_identifier) @scope.name
                        (scoped_type_identifier (type_identifier) @scope.name .)])
         (scoped_type_identifier (type_identifier) @scope.name .)]
  (class_body)) @scope

; Lower-case type identifiers are package segments of `java.util.Map` or `var`, not types.
((type_identifier) @name @reference.type
  (#not-match? @name "^[a-z]"))

; `import a.b.C;`, `import static a.b.C.m;` and `import a.b.*;` (the package path).
(import_declaration
  [(scoped_identifier) (identifier)] @import)

; Other fields, with their declared types.
(field_declaration
  type: (_) @type
  declarator: (variable_declarator
    name: (identifier) @name)) @definition.field

; Supertypes: `extends`, `implements`, an interface's `extends`.
(class_declaration
  name: (identifier) @relation.type
  superclass: (superclass (_) @relation.base))

(class_declaration
  name: (identifier) @relation.type
  interfaces: (super_interfaces (type_list (_) @relation.base)))

(enum_declaration
  name: (identifier) @relation.type
  interfaces: (super_interfaces (type_list (_) @relation.base)))

(record_declaration
  name: (identifier) @relation.type
  interfaces: (super_interfaces (type_list (_) @relation.base)))

(interface_declaration
  name: (identifier) @relation.type
  (extends_interfaces (type_list (_) @relation.base)))

; Parameters and locals with declared types (`var x = new T()` is read off its initialiser).
(formal_parameter
  type: (_) @binding.type
  name: (identifier) @binding.name)

(local_variable_declaration
  type: (_) @binding.type
  declarator: (variable_declarator
    name: (identifier) @binding.name
    value: (_)? @binding.value))

(enhanced_for_statement
  type: (_) @binding.type
  name: (identifier) @binding.name)
