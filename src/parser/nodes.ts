// Small tree helpers shared by doc and signature extraction.
import type { Node } from "web-tree-sitter";
import { withoutFTL } from "./jit.ts";
import type { LanguageSpec } from "./languages.ts";

export const BODY_TYPES =
  /(^|_)(body|block|declaration_list|field_declaration_list|compound_statement|class_body|enum_body|interface_body|statement_block|object_type|enum_variant_list|protocol_body|members|suite)$/;

const PARAMETER_LISTS = /(^|_)(parameters|parameter_list)$|^primary_constructor$/;

/**
 * The outermost node that still "is" this definition: wrappers such as `export` or decorators,
 * and groupings that begin on the same line with the definition first (Go's `type X struct`,
 * JS's `const x = ...`). Comments that document the definition sit above this node.
 */
export function outerNode(def: Node, spec: LanguageSpec): Node {
  let top = def;
  for (;;) {
    const parent = top.parent;
    if (!parent || parent.type === "program" || parent.type === "source_file" || parent.type === "module") break;
    if (spec.wrapperTypes?.includes(parent.type)) {
      top = parent;
      continue;
    }
    // A parameter list is no wrapper: Kotlin's `class A(val id: Id)` declares a property in its
    // first parameter, whose signature must not begin with the list's "(".
    if (parent.startPosition.row === top.startPosition.row && parent.firstNamedChild?.equals(top) && !BODY_TYPES.test(parent.type) && !PARAMETER_LISTS.test(parent.type)) {
      top = parent;
      continue;
    }
    break;
  }
  return top;
}

withoutFTL(outerNode);
