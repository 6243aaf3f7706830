// How refs.kind codes a reference (RefKind in types.ts), shared by extraction, the parse workers
// that pack references, the writer that stores them and the call graph that resolves them.
import type { RefKind } from "./types.ts";

/**
 * refs.kind, how a reference names its target (RefKind): a call, a use of a type, a member call,
 * a member call through an import's name. While in memory a reference's kind and count travel as
 * one number: count << REF_KIND_BITS | kind.
 */
export const REF_CALL = 0;
export const REF_TYPE = 1;
export const REF_MEMBER = 2;
export const REF_IMPORTED = 3;
/** RefKind by code. */
export const REF_KINDS: readonly RefKind[] = ["call", "type", "member", "imported"];
export const REF_KIND_BITS = 2;
const REF_KIND_MASK = (1 << REF_KIND_BITS) - 1;
const CODES = Object.fromEntries(REF_KINDS.map((kind, code) => [kind, code])) as Record<RefKind, number>;
export const refKindCode = (kind: RefKind): number => CODES[kind];
export const refKindOf = (kindCount: number): number => kindCount & REF_KIND_MASK;
export const refCountOf = (kindCount: number): number => kindCount >>> REF_KIND_BITS;
