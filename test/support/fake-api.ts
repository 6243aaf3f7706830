// The scaffolding the fake LLM APIs (fake-anthropic.ts, fake-openai.ts, fake-gemini.ts) share: a
// server on 127.0.0.1 and a free port, named scenarios, the recorded requests, and a request read
// as its URL, headers and JSON body. Each fake keeps its own wire format in `handle`.
export abstract class FakeApi<S extends { name: string }, R extends { scenario: string | null }> {
  readonly requests: R[] = [];
  /** Problems met while answering (unknown scenario, turns exhausted): tests should expect none. */
  readonly errors: string[] = [];
  protected readonly scenarios = new Map<string, S>();
  protected server: ReturnType<typeof Bun.serve> | null = null;

  /** Serve on a free loopback port; `idleTimeout: 0` for CLIs that keep a stream open while they think. */
  protected listen(opts: { idleTimeout?: number } = {}): void {
    this.server = Bun.serve({ hostname: "127.0.0.1", port: 0, ...opts, fetch: (req) => this.handle(req) });
  }

  protected get origin(): string {
    return `http://127.0.0.1:${this.server!.port}`;
  }

  add(scenario: S): this {
    this.scenarios.set(scenario.name, scenario);
    return this;
  }

  /**
   * The answer of scenario `name` at `turn`: its step, a function called with the turn's context;
   * when the marker, the scenario or the turn is missing, the problem goes to `errors` and
   * `missing` words the answer.
   */
  protected play<T extends object, C>(name: string | null, turn: number, ctx: () => C, missing: (problem: string) => T): T {
    const scenario = name ? (this.scenarios.get(name) as unknown as { turns: (T | ((c: C) => T))[] } | undefined) : undefined;
    const step = scenario?.turns[turn];
    if (!scenario || !step) {
      const problem = !name ? "no scenario marker" : scenario ? `scenario '${name}' has no turn ${turn}` : `no scenario named '${name}'`;
      this.errors.push(problem);
      return missing(problem);
    }
    return typeof step === "function" ? step(ctx()) : step;
  }

  /** The recorded requests of one scenario. */
  requestsOf(scenario: string): R[] {
    return this.requests.filter((r) => r.scenario === scenario);
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
    this.server = null;
  }

  protected abstract handle(req: Request): Promise<Response>;
}

/** A request's URL, headers and JSON body (null when it is no POST or not JSON). */
export async function readRequest<B>(req: Request): Promise<{ url: URL; headers: Record<string, string>; body: B | null }> {
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => (headers[k] = v));
  let body: B | null = null;
  if (req.method === "POST") {
    try {
      body = (await req.json()) as B;
    } catch {
      body = null;
    }
  }
  return { url: new URL(req.url), headers, body };
}
