// Messages between the daemon's main thread and its index worker (plain data, structured clone).

export type RunMode = "full" | "paths";

export interface RunReport {
  mode: RunMode;
  /** Files listed in the index (parsed or skipped) and symbols, after the run. */
  files: number;
  symbols: number;
  skipped: { path: string; reason: string }[];
  parsed: number;
  deleted: number;
  unchanged: number;
  durationMs: number;
  edgeMode: "full" | "incremental" | "none";
}

export type WorkerIn =
  | { type: "init"; dbPath: string; root: string }
  | { type: "run"; id: number; mode: RunMode; paths: string[] }
  | { type: "close" };

export type WorkerOut =
  | { type: "ready" }
  | { type: "searchable"; id: number }
  | { type: "done"; id: number; report: RunReport }
  | { type: "failed"; id: number; message: string }
  /** The index file was damaged: moved aside as `aside`, and the run rebuilds it in a new file. */
  | { type: "rebuilt"; aside: string }
  | { type: "fatal"; message: string }
  | { type: "closed" };
