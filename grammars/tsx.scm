; TSX tags: the TypeScript query (typescript.scm) is loaded first and this file appended to it
; (src/parser/languages.ts), so TSX only adds JSX component references here.
; Capture conventions: grammars/README.md.

; `<OrderRow />` renders (calls) a component; lower-case tags are HTML elements.
(jsx_opening_element
  name: (identifier) @name
  (#match? @name "^[A-Z]")) @reference.call

(jsx_self_closing_element
  name: (identifier) @name
  (#match? @name "^[A-Z]")) @reference.call

(jsx_opening_element
  name: (member_expression property: (property_identifier) @name)) @reference.call

(jsx_self_closing_element
  name: (member_expression property: (property_identifier) @name)) @reference.call
