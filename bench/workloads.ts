/**
 * The Node↔Node workloads. Each runs one contender once and returns its figures; the
 * orchestrator repeats them in rounds, interleaving contenders.
 */

import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { placed } from "./placement.ts";
import { bounded, spawnServer, type ServerChild } from "./children.ts";
import { compiledScript } from "./compiled.ts";
import { ferry } from "./contenders/ferry.ts";
import { BLOB_BYTES, type BenchClient, type Contender } from "./contenders/types.ts";
import { percentile } from "./stats.ts";

/** How much work one run does; `--quick` shrinks everything. */
export interface Sizes {
  rtWarm: number;
  rtCalls: number;
  pipeCalls: number;
  inFlight: number;
  blobCalls: number;
  /** Bytes of the handler→page channel stream. */
  streamBytes: number;
  eventDeliveries: number;
  eventBurst: number;
  windows: number;
  listeners: number;
  /** Cold starts per contender per round (their median is the round's figure). */
  coldStarts: number;
  /** Memory figures on a fresh server child each (slower; `--quick` reuses the running one). */
  freshServers: boolean;
}

export const FULL: Sizes = {
  rtWarm: 1000,
  rtCalls: 10_000,
  pipeCalls: 20_000,
  inFlight: 256,
  blobCalls: 8,
  streamBytes: 256 * 1024 * 1024,
  eventDeliveries: 60_000,
  eventBurst: 64,
  windows: 1000,
  listeners: 10_000,
  coldStarts: 5,
  freshServers: true,
};

export const QUICK: Sizes = {
  rtWarm: 50,
  rtCalls: 200,
  pipeCalls: 600,
  inFlight: 256,
  blobCalls: 1,
  streamBytes: 8 * 1024 * 1024,
  eventDeliveries: 2000,
  eventBurst: 64,
  windows: 50,
  listeners: 500,
  coldStarts: 1,
  freshServers: false,
};

/** What a workload run gets: the contender, its long-lived server child and client. */
export interface RunContext {
  contender: Contender;
  server: ServerChild;
  client: BenchClient;
  sizes: Sizes;
}

export type Figures = Record<string, number>;

const NAME = "Ada";

/**
 * A full collection in this process, when it runs with --expose-gc (bench/launch.mjs starts
 * it so): every contender's client lives here, and a timed section should not start in the
 * middle of the previous workload's garbage. (It did not remove what makes ferry's figures
 * worse after a tRPC pairing; docs/profile.md, round 4.)
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Sequential greet round trips after `warm` untimed calls each and a full collection: each
 * greet's samples in microseconds. The greets take turns call by call, the order of each turn
 * reversed every other turn (ABBA), so every one's samples span the same moments of whatever
 * else the machine is doing, and none always runs just after another.
 */
export async function interleavedRoundTrips(
  greets: ((name: string) => Promise<unknown>)[],
  warm: number,
  calls: number,
): Promise<number[][]> {
  const samples = greets.map(() => [] as number[]);
  for (const greet of greets) for (let i = 0; i < warm; i++) await greet(NAME);
  collectGarbage();
  const order = [...greets.keys()];
  const reversed = [...order].reverse();
  for (let i = 0; i < calls; i++) {
    for (const k of i % 2 ? reversed : order) {
      const t0 = performance.now();
      await greets[k]!(NAME);
      samples[k]!.push((performance.now() - t0) * 1000);
    }
  }
  return samples;
}

/** `interleavedRoundTrips` of the contenders' clients: p50 and p99 per contender. */
export async function roundTrips(ctxs: RunContext[]): Promise<Map<RunContext, Figures>> {
  const sizes = ctxs[0]?.sizes;
  const samples = await interleavedRoundTrips(
    ctxs.map((c) => (name) => c.client.greet(name)),
    sizes?.rtWarm ?? 0,
    sizes?.rtCalls ?? 0,
  );
  return new Map(ctxs.map((c, k) => [c, { rt_p50: percentile(samples[k]!, 50), rt_p99: percentile(samples[k]!, 99) }]));
}

/**
 * Round trips as the table reports them: each peer takes turns with raw ws alone (`roundTrips`
 * on the pair), so its ratio compares samples from the same moments. Taking turns all
 * together made each contender pay for whichever ran just before it: after a 1.4 ms tRPC
 * call (its server busy, its garbage in this process) the next call ran slower, and in an
 * ABBA order of four one contender follows tRPC every other turn and raw ws never does
 * (docs/profile.md, round 4). raw ws's own figures are those of its pairing with ferry
 * (the one the targets are about), else of its last pairing.
 */
export async function roundTripsWithRaw(ctxs: RunContext[]): Promise<Map<RunContext, Figures>> {
  const raw = ctxs.find((c) => c.contender.name === "raw");
  const others = ctxs.filter((c) => c !== raw);
  if (!raw || others.length === 0) return roundTrips(ctxs);
  const out = new Map<RunContext, Figures>();
  for (const [i, other] of others.entries()) {
    const pair = await roundTrips(i % 2 ? [other, raw] : [raw, other]);
    out.set(other, pair.get(other)!);
    if (!out.has(raw) || other.contender.name === "ferry") out.set(raw, pair.get(raw)!);
  }
  // In the order given, as the caller reports them.
  return new Map(ctxs.map((c) => [c, out.get(c)!]));
}

/** One contender's round trips alone (warm-up, profiling). */
export async function roundTrip(ctx: RunContext): Promise<Figures> {
  return (await roundTrips([ctx])).get(ctx)!;
}

/** Runs `total` calls keeping `inFlight` outstanding; resolves with calls per second. */
export function pipelineRate(call: () => Promise<unknown>, total: number, inFlight: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    const t0 = performance.now();
    const next = (): void => {
      if (sent >= total) return;
      sent++;
      call().then(() => {
        if (++done === total) resolve(total / ((performance.now() - t0) / 1000));
        else next();
      }, reject);
    };
    for (let i = 0; i < inFlight; i++) next();
  });
}

/** Pipelined greets, `inFlight` at a time: calls per second (after one warm-up run). */
export async function pipelined({ client, sizes }: RunContext): Promise<Figures> {
  const call = () => client.greet(NAME);
  await pipelineRate(call, Math.min(sizes.pipeCalls, 2000), sizes.inFlight);
  return { pipelined: await pipelineRate(call, sizes.pipeCalls, sizes.inFlight) };
}

/**
 * The 10 MiB binary result: MB/s (10^6 bytes) of result delivered, per contender. The
 * contenders take turns call by call, so each one's calls span the same stretch of time.
 */
export async function binaries(ctxs: RunContext[]): Promise<Map<RunContext, Figures>> {
  const check = (b: Uint8Array) => {
    if (b.byteLength !== BLOB_BYTES || b[12345] !== (12345 & 0xff)) throw new Error("binary result arrived damaged");
  };
  const elapsed = new Map<RunContext, number>(ctxs.map((c) => [c, 0]));
  for (const ctx of ctxs) check(await ctx.client.blob());
  const calls = ctxs[0]?.sizes.blobCalls ?? 0;
  for (let i = 0; i < calls; i++) {
    for (const ctx of ctxs) {
      const t0 = performance.now();
      check(await ctx.client.blob());
      elapsed.set(ctx, elapsed.get(ctx)! + (performance.now() - t0));
    }
  }
  return new Map(ctxs.map((c) => [c, { binary: (calls * BLOB_BYTES) / 1e6 / (elapsed.get(c)! / 1000) }]));
}

/** One contender's binary results alone. */
export async function binary(ctx: RunContext): Promise<Figures> {
  return (await binaries([ctx])).get(ctx)!;
}

/**
 * Starts a new peak for the server child's RSS (Linux: `clear_refs` 5 resets `VmHWM` to the
 * RSS now); false where that cannot be done, and no peak is reported then.
 */
async function resetPeakRss(pid: number | undefined): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** The server child's peak RSS since the last reset (`VmHWM`), in bytes. */
async function peakRss(pid: number | undefined): Promise<number | undefined> {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A byte stream between handler and page: MB/s (10^6 bytes) delivered, for the contenders
 * that have one, taken in turns like the binary results, and the backend's (the server
 * child's) peak RSS in MiB over the round's transfers (`channel_rss`, `upload_rss`). `stream`: handler→page (raw ws:
 * pieces handed to the socket at once; ferry: a `Channel` whose sends are all awaited, under
 * the window's outgoing bound). `upload`: page→handler (raw ws: the same, the other way;
 * ferry: a page `ReadableStream` sent within the credit the backend grants).
 */
async function byteStreams(ctxs: RunContext[], way: "stream" | "upload"): Promise<Map<RunContext, Figures>> {
  const streaming = ctxs.filter((c) => c.client[way]);
  const elapsed = new Map<RunContext, number>(streaming.map((c) => [c, 0]));
  const peaks = new Map<RunContext, number>();
  const bytes = ctxs[0]?.sizes.streamBytes ?? 0;
  const once = async (ctx: RunContext) => {
    const got = await ctx.client[way]!(bytes);
    if (got !== bytes) throw new Error(`${ctx.contender.name}: ${way} delivered ${got} of ${bytes} bytes`);
  };
  for (const ctx of streaming) await once(ctx);
  const rounds = 2;
  for (let i = 0; i < rounds; i++) {
    for (const ctx of streaming) {
      const pid = ctx.server.process.pid;
      const measured = await resetPeakRss(pid);
      const t0 = performance.now();
      await once(ctx);
      elapsed.set(ctx, elapsed.get(ctx)! + (performance.now() - t0));
      const peak = measured ? await peakRss(pid) : undefined;
      if (peak !== undefined) peaks.set(ctx, Math.max(peaks.get(ctx) ?? 0, peak));
    }
  }
  const figure = way === "stream" ? "channel" : "upload";
  return new Map(
    ctxs.map((c) => {
      if (!elapsed.has(c)) return [c, {}];
      const out: Figures = { [figure]: (rounds * bytes) / 1e6 / (elapsed.get(c)! / 1000) };
      if (peaks.has(c)) out[`${figure}_rss`] = peaks.get(c)! / MiB;
      return [c, out];
    }),
  );
}

/** The handler→page channel stream of every contender that has one. */
export const channelStreams = (ctxs: RunContext[]) => byteStreams(ctxs, "stream");

/** The page→handler upload of every contender that has one. */
export const uploadStreams = (ctxs: RunContext[]) => byteStreams(ctxs, "upload");

/** One contender's upload alone. */
export async function uploadStream(ctx: RunContext): Promise<Figures> {
  return (await uploadStreams([ctx])).get(ctx)!;
}

/** One contender's channel stream alone. */
export async function channelStream(ctx: RunContext): Promise<Figures> {
  return (await channelStreams([ctx])).get(ctx)!;
}

/**
 * Events from the backend to `connections` listening connections: events delivered per
 * second, from the emit request until the last listener has its last event.
 */
export async function events(ctx: RunContext, connections: number): Promise<Figures> {
  const { contender, server, sizes } = ctx;
  const perConnection = Math.floor(sizes.eventDeliveries / connections);
  const clients: BenchClient[] = [];
  try {
    let received = 0;
    let allIn!: () => void;
    const finished = new Promise<void>((resolve) => (allIn = resolve));
    const total = perConnection * connections;
    for (let i = 0; i < connections; i++) {
      const c = await contender.connect(server.info);
      clients.push(c);
      await c.listen("tick", () => {
        if (++received === total) allIn();
      });
    }
    const t0 = performance.now();
    await server.emit("tick", perConnection, sizes.eventBurst);
    await bounded(finished, 60_000, `${contender.name} events to ${connections}`);
    return { [`events_${connections}`]: total / ((performance.now() - t0) / 1000) };
  } finally {
    for (const c of clients) c.close();
  }
}

const MiB = 1024 * 1024;

/**
 * Runs `measure` against a fresh server child of the contender, stopped afterwards: what
 * one memory figure leaves behind (tRPC keeps subscriptions after their socket closes)
 * must not weigh on the next figure.
 */
async function onFreshServer(ctx: RunContext, measure: (ctx: RunContext) => Promise<Figures>): Promise<Figures> {
  if (!ctx.sizes.freshServers) return measure(ctx);
  const server = await spawnServer(ctx.contender.name);
  try {
    return await measure({ ...ctx, server });
  } finally {
    await server.stop();
  }
}

/** Backend heap per 1,000 connected windows (bare connections past the handshake), MiB. */
export function windowsMemory(ctx: RunContext): Promise<Figures> {
  return onFreshServer(ctx, measureWindows);
}

async function measureWindows({ contender, server, sizes }: RunContext): Promise<Figures> {
  const closers: (() => void)[] = [];
  try {
    const before = await server.heap();
    for (let i = 0; i < sizes.windows; i += 50) {
      const batch = Math.min(50, sizes.windows - i);
      closers.push(...(await Promise.all(Array.from({ length: batch }, () => contender.connectBare(server.info)))));
    }
    const after = await server.heap();
    return { mem_windows: (((after - before) / sizes.windows) * 1000) / MiB };
  } finally {
    for (const close of closers) close();
  }
}

/** Backend heap per 10,000 page listeners on one connection (100 event names), MiB. */
export function listenersMemory(ctx: RunContext): Promise<Figures> {
  return onFreshServer(ctx, measureListeners);
}

async function measureListeners({ contender, server, sizes }: RunContext): Promise<Figures> {
  const client = await contender.connect(server.info);
  try {
    const before = await server.heap();
    for (let i = 0; i < sizes.listeners; i += 250) {
      const batch = Math.min(250, sizes.listeners - i);
      await Promise.all(Array.from({ length: batch }, (_, j) => client.listen(`ev${(i + j) % 100}`, () => {})));
    }
    const after = await server.heap();
    return { mem_listeners: (((after - before) / sizes.listeners) * 10_000) / MiB };
  } finally {
    client.close();
  }
}

/**
 * Cold start to the first served call, in ms, two ways:
 * - `cold_start`: for ferry the tutorial backend (`examples/tutorial/server.ts --no-window`,
 *   zod and the fs and dialog plugins included) and its `greet`; for the peers the bench
 *   server child with only their module loaded;
 * - `cold_start_server`: every contender, ferry included, as the bench server child.
 * All of it is compiled JavaScript on plain `node` (bench/launch.mjs compiled it before the
 * run): no loader, no compile step timed. A peer's one start counts for both figures.
 * Each contender starts `sizes.coldStarts` times, the contenders taking turns start by
 * start; the figure is the median of those starts.
 */
export async function coldStarts(ctxs: RunContext[]): Promise<Map<RunContext, Figures>> {
  const starts = new Map<RunContext, { cold_start: number[]; cold_start_server: number[] }>(
    ctxs.map((c) => [c, { cold_start: [], cold_start_server: [] }]),
  );
  const count = ctxs[0]?.sizes.coldStarts ?? 0;
  for (let i = 0; i < count; i++) {
    for (const ctx of ctxs) {
      const list = starts.get(ctx)!;
      if (ctx.contender.name === "ferry") {
        list.cold_start.push(await tutorialColdStart());
        list.cold_start_server.push(await serverColdStart(ctx.contender));
      } else {
        const ms = await serverColdStart(ctx.contender);
        list.cold_start.push(ms);
        list.cold_start_server.push(ms);
      }
    }
  }
  return new Map(
    ctxs.map((c) => {
      const list = starts.get(c)!;
      return [c, { cold_start: percentile(list.cold_start, 50), cold_start_server: percentile(list.cold_start_server, 50) }];
    }),
  );
}

/** One contender's cold starts alone. */
export async function coldStart(ctx: RunContext): Promise<Figures> {
  return (await coldStarts([ctx])).get(ctx)!;
}

/** Spawning the bench server child to its first answered greet. */
async function serverColdStart(contender: Contender): Promise<number> {
  const t0 = performance.now();
  const child = await spawnServer(contender.name);
  try {
    const client = await contender.connect(child.info);
    await client.greet(NAME);
    const ms = performance.now() - t0;
    client.close();
    return ms;
  } finally {
    await child.stop();
  }
}

/** Spawning the tutorial backend to its first answered greet. */
async function tutorialColdStart(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(...placed("server", process.execPath, [compiledScript("tutorial"), "--no-window"]), {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    // stdout is a pipe, so the backend prints the path of its 0600 launch file, not the token.
    const url = await bounded(
      new Promise<URL>((resolve, reject) => {
        let out = "";
        let reading = false;
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const file = /open this file [^\n]*:\n(.+)\n/.exec(out);
          if (file && !reading) {
            reading = true;
            readFile(file[1]!, "utf8").then((html) => {
              const m = /http:\/\/127\.0\.0\.1:\d+\/#ferry-token=[0-9a-f]+/.exec(html);
              if (m) resolve(new URL(m[0]));
              else reject(new Error("the launch file holds no page URL"));
            }, reject);
          }
        });
        child.once("exit", (code) => reject(new Error(`tutorial server exited with ${code}`)));
      }),
      30_000,
      "starting the tutorial backend",
    );
    const token = url.hash.slice("#ferry-token=".length);
    const client = await ferry.connect({ url: `ws://${url.host}/__ferry/ws`, token, origin: url.origin });
    const greeting = await client.greet(NAME);
    const ms = performance.now() - t0;
    client.close();
    if (greeting !== `Hello, ${NAME}!`) throw new Error(`tutorial greet answered ${JSON.stringify(greeting)}`);
    return ms;
  } finally {
    const exited = child.exitCode === null ? new Promise((resolve) => child.once("exit", resolve)) : Promise.resolve();
    child.kill("SIGTERM");
    await bounded(exited, 10_000, "stopping the tutorial backend").catch(() => child.kill("SIGKILL"));
  }
}
