// The ranked repo map: the most important files with their most important symbols and signatures,
// fitted to a token budget (aider's repo map idea). It is what the planner prompt is fed.
import type { Database } from "bun:sqlite";

export const DEFAULT_MAP_TOKENS = 1024;

/** A cheap, stable token estimate: about four characters per token for code. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

interface Row {
  path: string;
  fileRank: number;
  name: string;
  kind: string;
  line: number;
  signature: string;
  rank: number;
}

export interface RepoMap {
  text: string;
  tokens: number;
  files: { path: string; rank: number; symbols: { name: string; kind: string; line: number; signature: string; rank: number }[] }[];
}

/** Candidate pool: far more than any sane budget can show, so the search below never runs dry. */
const POOL = 4000;

export function repoMap(db: Database, budget = DEFAULT_MAP_TOKENS): RepoMap {
  const rows = db
    .query(
      `SELECT f.path, f.rank AS fileRank, s.name, s.kind, s.line, s.signature, s.rank
       FROM symbols s JOIN files f ON f.id = s.file_id
       ORDER BY s.rank DESC, f.path, s.line LIMIT ?`,
    )
    .all(POOL) as Row[];
  // Binary search for the largest number of top symbols whose rendering fits the budget.
  let lo = 0;
  let hi = rows.length;
  let best = render([]);
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = render(rows.slice(0, mid));
    if (estimateTokens(candidate.text) <= budget) {
      best = candidate;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

function render(rows: Row[]): RepoMap {
  const byFile = new Map<string, { rank: number; rows: Row[] }>();
  for (const r of rows) {
    const f = byFile.get(r.path);
    if (f) f.rows.push(r);
    else byFile.set(r.path, { rank: r.fileRank, rows: [r] });
  }
  const files = [...byFile.entries()].sort((a, b) => b[1].rank - a[1].rank || (a[0] < b[0] ? -1 : 1));
  const lines: string[] = [];
  const out: RepoMap["files"] = [];
  for (const [path, f] of files) {
    f.rows.sort((a, b) => a.line - b.line);
    lines.push(`${path}:`);
    for (const r of f.rows) lines.push(`  ${r.line}: ${r.signature || `${r.kind} ${r.name}`}`);
    out.push({ path, rank: f.rank, symbols: f.rows.map((r) => ({ name: r.name, kind: r.kind, line: r.line, signature: r.signature, rank: r.rank })) });
  }
  const text = lines.length ? `${lines.join("\n")}\n` : "";
  return { text, tokens: estimateTokens(text), files: out };
}
