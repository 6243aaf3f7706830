// What the MCP SDK's stdio transport drops without a word: a line that is not JSON, a JSON-RPC
// batch (MCP 2025-06-18 removed batching), or an object that is not a JSON-RPC message. A client
// waiting for an answer to such a line would hang, so each gets the JSON-RPC error the spec names
// (-32700 parse error, -32600 invalid request) and only well-formed messages reach the SDK.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { PassThrough, type Readable, type Writable } from "node:stream";

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;

/** The stream the SDK transport reads: `input`'s lines that are JSON-RPC messages. Errors for the rest go to `output`. */
export function guardedInput(input: Readable, output: Writable): PassThrough {
  const passed = new PassThrough();
  let pending: Buffer = Buffer.alloc(0);
  input.on("data", (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let nl: number;
    while ((nl = pending.indexOf(10)) !== -1) {
      const line = pending.subarray(0, nl);
      pending = pending.subarray(nl + 1);
      const error = lineError(line.toString("utf8").replace(/\r$/, ""));
      if (error) output.write(`${JSON.stringify(error)}\n`);
      else passed.write(Buffer.concat([line, Buffer.from("\n")]));
    }
  });
  input.on("end", () => passed.end());
  input.on("close", () => passed.end());
  return passed;
}

/** Serve `server` on this process's stdin/stdout, guarded as above, until the client closes stdin. */
export async function serveUntilClosed(server: McpServer): Promise<void> {
  const transport = new StdioServerTransport(guardedInput(process.stdin, process.stdout), process.stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
    process.stdin.once("close", () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => {});
}

type ErrorReply = { jsonrpc: "2.0"; id: string | number | null; error: { code: number; message: string } };

/** The error to answer a line with, or null when the line is a message for the SDK (or blank). */
export function lineError(line: string): ErrorReply | null {
  if (line.trim() === "") return null;
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch (err) {
    return reply(null, PARSE_ERROR, `Parse error: ${(err as Error).message}`);
  }
  if (Array.isArray(msg)) return reply(null, INVALID_REQUEST, "Invalid Request: JSON-RPC batches are not supported (MCP 2025-06-18); send one message per line");
  if (typeof msg !== "object" || msg === null) return reply(null, INVALID_REQUEST, "Invalid Request: a message is a JSON object");
  const m = msg as Record<string, unknown>;
  const id = typeof m.id === "string" || typeof m.id === "number" ? m.id : null;
  if (m.jsonrpc !== "2.0") return reply(id, INVALID_REQUEST, 'Invalid Request: "jsonrpc" must be "2.0"');
  const isRequestOrNotification = typeof m.method === "string";
  const isResponse = "id" in m && ("result" in m || "error" in m);
  if (!isRequestOrNotification && !isResponse) return reply(id, INVALID_REQUEST, 'Invalid Request: no "method" (and not a response)');
  return null;
}

function reply(id: string | number | null, code: number, message: string): ErrorReply {
  return { jsonrpc: "2.0", id, error: { code, message } };
}
