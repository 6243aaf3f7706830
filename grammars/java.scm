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
  declarator: (variable_declarator
    name: (identifier) @name)
  (#match? @_mods "\\bstatic\\b")
  (#match? @_mods "\\bfinal\\b")) @definition.constant

(method_invocation
  name: (identifier) @name) @reference.call

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
