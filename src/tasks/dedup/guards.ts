// Guards: reasons two descriptions are NOT the same task however similar they read. The similarity
// layers only count shared words, so "add X" and "remove X", or "fix the login bug in the iOS
// app" and "... in the backend", score high; these checks look at what differs instead. A guard
// that fires rules the pair out of every layer.
import { termOf, type Normalized, type Token } from "./normalize.ts";
import { OPPOSITES, PHRASE_OPENERS, TARGETS, WORK_KINDS } from "./vocab.ts";

export type GuardName = "opposite-action" | "different-identifier" | "different-number" | "different-target" | "different-phrase" | "follow-up-work";

export interface GuardHit {
  guard: GuardName;
  /** Why, for people and logs: "add vs remove", "`fetchUser` vs `fetchOrders`". */
  detail: string;
}

/** Each opposite pair as terms: [axis index, +1 | -1] per term. */
const DIRECTION = new Map<string, [number, 1 | -1][]>();
OPPOSITES.forEach(([plus, minus], axis) => {
  for (const [words, sign] of [[plus, 1], [minus, -1]] as const)
    for (const w of words) {
      const t = termOf(w);
      DIRECTION.set(t, [...(DIRECTION.get(t) ?? []), [axis, sign]]);
    }
});
const TARGET_TERMS = new Set([...TARGETS].map(termOf));
const WORK_KIND_TERMS = new Set([...WORK_KINDS].map(termOf));

/** What the guards read from one description, computed once per description (a candidate is compared with many new tasks). */
interface Features {
  /** Plain words (not code) that are content: the only ones read as verbs or targets. */
  plain: Set<string>;
  /** Opposite-pair axis -> the directions the description takes on it. */
  signs: Map<number, Set<1 | -1>>;
  targets: Set<string>;
  kinds: Set<string>;
  /** Opener -> the content terms of every phrase it opens. */
  phrases: Map<string, Set<string>>;
}

const FEATURES = new WeakMap<Normalized, Features>();

function features(n: Normalized): Features {
  let f = FEATURES.get(n);
  if (f) return f;
  const plain = new Set(n.stream.filter((t): t is Token => t !== null && !t.stop && !t.ident).map((t) => t.term));
  const signs = new Map<number, Set<1 | -1>>();
  for (const t of plain) for (const [axis, sign] of DIRECTION.get(t) ?? []) signs.set(axis, (signs.get(axis) ?? new Set()).add(sign));
  f = {
    plain,
    signs,
    targets: new Set([...plain].filter((t) => TARGET_TERMS.has(t))),
    kinds: new Set([...plain].filter((t) => WORK_KIND_TERMS.has(t))),
    phrases: phrases(n),
  };
  FEATURES.set(n, f);
  return f;
}

/** The first guard that separates the two descriptions, or null when none does. */
export function guardPair(a: Normalized, b: Normalized): GuardHit | null {
  const [fa, fb] = [features(a), features(b)];
  return (
    opposite(fa, fb) ??
    differentSet("different-identifier", a.idents, b.idents) ??
    differentSet("different-number", a.numbers, b.numbers) ??
    differentSet("different-target", fa.targets, fb.targets) ??
    followUp(fa, fb) ??
    differentPhrase(fa, fb)
  );
}

/** Opposite operations: a named pair (add/remove, enable/disable, ...) or a word against its un- form. */
function opposite(a: Features, b: Features): GuardHit | null {
  for (const [axis, s] of a.signs) {
    const o = b.signs.get(axis);
    // Only a clean flip counts: a task mentioning both directions ("replace: remove X, add Y") is not one.
    if (o && s.size === 1 && o.size === 1 && [...s][0] !== [...o][0]) {
      const [plus, minus] = OPPOSITES[axis]!;
      return { guard: "opposite-action", detail: `${plus[0]} vs ${minus[0]}` };
    }
  }
  for (const x of a.plain) {
    if (x.length < 3) continue;
    const y = `un${x}`;
    if (b.plain.has(y) && !a.plain.has(y) && !b.plain.has(x)) return { guard: "opposite-action", detail: `${x} vs ${y}` };
  }
  for (const y of b.plain) {
    if (y.length < 3) continue;
    const x = `un${y}`;
    if (a.plain.has(x) && !b.plain.has(x) && !a.plain.has(y)) return { guard: "opposite-action", detail: `${x} vs ${y}` };
  }
  return null;
}

/** Both name some, and each names one the other does not: different things. */
function differentSet(guard: GuardName, a: Set<string>, b: Set<string>): GuardHit | null {
  const onlyA = [...a].filter((x) => !b.has(x));
  const onlyB = [...b].filter((x) => !a.has(x));
  if (!onlyA.length || !onlyB.length) return null;
  return { guard, detail: `${onlyA.join(", ")} vs ${onlyB.join(", ")}` };
}

/** "Add tests for X" against "add X": one is follow-up work (tests, docs) on the other. */
function followUp(a: Features, b: Features): GuardHit | null {
  const onlyA = [...a.kinds].filter((k) => !b.kinds.has(k));
  const onlyB = [...b.kinds].filter((k) => !a.kinds.has(k));
  if (!onlyA.length && !onlyB.length) return null;
  return { guard: "follow-up-work", detail: `${[...onlyA, ...onlyB].join(", ")} in one task only` };
}

/**
 * The same opener ("in", "when", "for", ...) followed by different words on each side: "in the
 * iOS app" vs "in the backend", "when the config file is missing" vs "when the network is
 * offline". A phrase runs from its opener to punctuation, the next opener, or the end.
 */
function differentPhrase(a: Features, b: Features): GuardHit | null {
  for (const [opener, wa] of a.phrases) {
    const wb = b.phrases.get(opener);
    if (wb && differentSet("different-phrase", wa, wb)) {
      return { guard: "different-phrase", detail: `${opener} ${[...wa].join(" ")} vs ${opener} ${[...wb].join(" ")}` };
    }
  }
  return null;
}

/** Opener -> the content terms of every phrase it opens. */
function phrases(n: Normalized): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  let current: Set<string> | null = null;
  for (const t of n.stream) {
    if (t === null) {
      current = null;
    } else if (!t.ident && PHRASE_OPENERS.has(t.surface)) {
      current = out.get(t.surface) ?? new Set();
      out.set(t.surface, current);
    } else if (current && !t.stop) {
      current.add(t.term);
    }
  }
  // An opener with nothing after it ("what to add to") says nothing.
  for (const [k, v] of out) if (!v.size) out.delete(k);
  return out;
}
