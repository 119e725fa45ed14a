/**
 * `npm run bench`: ferry against raw `ws` (the floor), birpc over `ws` and tRPC v11's
 * WebSocket link, on the same workloads, in one run, over loopback. It runs compiled, on
 * plain `node` with no loader (`node bench/launch.mjs run …`): ferry from `dist/`.
 *
 *   npm run bench                      full run (3 rounds, Chromium included), writes
 *                                      bench/results.json and docs/performance.md
 *   npm run bench -- --quick           a few hundred calls per figure, 1 round, no docs
 *   npm run bench -- --no-browser      skip the Chromium figures (the page and the app window)
 *   npm run bench -- --no-app-window   skip the app window rows (npm start to a painted page, memory)
 *   npm run bench -- --rounds 5        more rounds
 *   npm run bench -- --out file.json   write the results elsewhere (and no docs)
 *   npm run bench -- --only rt,pipelined --contenders raw,ferry
 *                                      a subset, for checking a change (no docs);
 *                                      `--only app-window` runs the app window rows alone
 *   npm run bench -- --placement shared
 *                                      clients and servers on one core (default split: clients
 *                                      on core 0, servers on core 1; os: unpinned), see
 *                                      bench/placement.ts
 *   npm run bench -- --docs-from bench/results.json
 *                                      rewrite docs/performance.md from a results file
 *
 * Servers run in child processes, one per contender, on their own core; clients run here. Contenders run
 * one at a time, never in parallel; each figure is measured in rounds, the contenders'
 * order rotating every round, and reported as median (min–max) with its ratio to raw ws.
 */

import { cpus, loadavg } from "node:os";
import { writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { appWindowDoc, appWindowRows, type AppWindowResults } from "./app-window.ts";
import { startPageServer, chromiumPath, chromiumVersion, killBrowsers, type PageServer } from "./browser.ts";
import { spawnServer, type ServerChild } from "./children.ts";
import { coresOf, placement, type Placement } from "./placement.ts";
import { CONTENDERS } from "./contenders/index.ts";
import { CONTENDER_NAMES, type BenchClient, type ContenderName } from "./contenders/types.ts";
import { FIGURES, markdownTable, Tally, type FigureResult } from "./report.ts";
import {
  FULL,
  QUICK,
  binary,
  binaries,
  channelStream,
  channelStreams,
  uploadStream,
  uploadStreams,
  coldStart,
  coldStarts,
  events,
  listenersMemory,
  pipelined,
  roundTrip,
  roundTripsWithRaw,
  windowsMemory,
  type Figures,
  type RunContext,
} from "./workloads.ts";

/** The results file's shape (bench/results.json). */
export interface BenchResults {
  date: string;
  mode: "full" | "quick" | "partial";
  rounds: number;
  /** Rounds of the Chromium figures. */
  browserRounds: number;
  command: string;
  machine: {
    nproc: number;
    cpu: string;
    node: string;
    platform: string;
    chromium: string | null;
    crossOriginIsolated: boolean | null;
    /** 1-minute load average at the start and at the end of the run: other work on the machine. */
    loadAverage: [number, number];
    /** Which cores the clients and the server children ran on (bench/placement.ts), as read from /proc. */
    placement: { mode: Placement; clients: string | null; servers: string | null };
  };
  /** The 1-minute load average as each round of each workload ended (also printed beside it). */
  roundLoads: { workload: string; round: number; load: number }[];
  sizes: typeof FULL;
  figures: FigureResult[];
  table: string;
  /** `npm start` in an app window: time to paint and to the first invoke, memory (bench/app-window.ts). */
  appWindow?: AppWindowResults;
}

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "no-browser": { type: "boolean", default: false },
    "no-app-window": { type: "boolean", default: false },
    rounds: { type: "string" },
    out: { type: "string" },
    only: { type: "string" },
    contenders: { type: "string" },
    "docs-from": { type: "string" },
  },
});
const quick = args.quick;
const sizes = quick ? QUICK : FULL;
const rounds = Number(args.rounds ?? (quick ? 1 : 3));
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`--rounds must be 1..20, got ${args.rounds}`);
/** The page's rounds are cheap and its figures noisier, so it runs at least 5 in a full run. */
const browserRounds = quick ? rounds : Math.max(rounds, 5);
const withBrowser =
  !args["no-browser"] && chromiumPath() !== undefined && (args.only === undefined || args.only.split(",").includes("browser"));
const outFile = args.out ?? fileURLToPath(new URL("./results.json", import.meta.url));
const only = args.only?.split(",");
const chosen = (args.contenders?.split(",") ?? CONTENDER_NAMES) as ContenderName[];
for (const name of chosen) if (!CONTENDER_NAMES.includes(name)) throw new Error(`unknown contender ${name}`);
const withAppWindow =
  !args["no-browser"] && !args["no-app-window"] && (args.only === undefined || args.only.split(",").includes("app-window"));
/** `--only app-window` needs no server children. */
const serving = only === undefined || only.some((id) => id !== "app-window") ? chosen : [];
const partial = only !== undefined || args.contenders !== undefined;
const writeDocs = !quick && !partial && args.out === undefined;

const log = (line: string) => process.stderr.write(`${line}\n`);

// Server children exit when their IPC channel closes; Chromium runs in its own process
// group, so an interrupted run ends it here.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killBrowsers();
    process.exit(130);
  });
}

/** The Node↔Node workloads in run order. */
interface Workload {
  id: string;
  name: string;
  run(ctx: RunContext): Promise<Figures>;
  /** When set, runs all contenders of a round together (interleaved inside). */
  runTogether?(ctxs: RunContext[]): Promise<Map<RunContext, Figures>>;
}

const ALL_WORKLOADS: Workload[] = [
  { id: "rt", name: "round trip", run: roundTrip, runTogether: roundTripsWithRaw },
  { id: "pipelined", name: "pipelined", run: pipelined },
  { id: "binary", name: "10 MiB binary", run: binary, runTogether: binaries },
  { id: "channel", name: "channel stream", run: channelStream, runTogether: channelStreams },
  { id: "upload", name: "upload stream", run: uploadStream, runTogether: uploadStreams },
  { id: "events1", name: "events to 1", run: (ctx) => events(ctx, 1) },
  { id: "events100", name: "events to 100", run: (ctx) => events(ctx, 100) },
  { id: "windows", name: "heap per window", run: windowsMemory },
  { id: "listeners", name: "heap per listener", run: listenersMemory },
  { id: "cold", name: "cold start", run: coldStart, runTogether: coldStarts },
];
const WORKLOADS = ALL_WORKLOADS.filter((w) => only === undefined || only.includes(w.id));

/** The contenders in the order round `r` runs them: rotated, so none always goes first. */
const orderFor = (r: number): ContenderName[] => chosen.map((_, i) => chosen[(i + r) % chosen.length]!);

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const tally = new Tally();
  const roundLoads: BenchResults["roundLoads"] = [];
  /** Notes the load average as a round ends; its text goes beside the round's figures. */
  const noteLoad = (workload: string, round: number): string => {
    const load = loadavg()[0]!;
    roundLoads.push({ workload, round, load });
    return `load=${load.toFixed(2)}`;
  };
  const page: PageServer | undefined = withBrowser ? await startPageServer() : undefined;
  const servers = new Map<ContenderName, ServerChild>();
  const clients = new Map<ContenderName, BenchClient>();
  let isolated: boolean | null = null;
  let serverCores: string | null = null;
  try {
    for (const name of serving) {
      const server = await spawnServer(name, { origins: page ? [page.origin] : [] });
      servers.set(name, server);
      serverCores ??= server.process.pid === undefined ? null : coresOf(server.process.pid);
      clients.set(name, await CONTENDERS[name].connect(server.info));
    }
    // One untimed pass per contender first, so round 1 does not pay for JIT warm-up.
    const warmSizes = {
      ...sizes,
      pipeCalls: Math.max(300, sizes.pipeCalls / 2),
      eventDeliveries: Math.max(500, sizes.eventDeliveries / 10),
    };
    for (const name of serving) {
      const ctx: RunContext = { contender: CONTENDERS[name], server: servers.get(name)!, client: clients.get(name)!, sizes: warmSizes };
      await pipelined(ctx);
      await roundTrip(ctx);
      await events(ctx, 1);
      log(`warmed up ${name}`);
    }
    const contextFor = (name: ContenderName): RunContext => ({
      contender: CONTENDERS[name],
      server: servers.get(name)!,
      client: clients.get(name)!,
      sizes,
    });
    const report = (r: number, workload: Workload, name: ContenderName, figures: Figures, load: string) => {
      tally.add(name, figures);
      log(
        `round ${r + 1}/${rounds} ${workload.name.padEnd(18)} ${name.padEnd(6)} ${Object.entries(figures)
          .map(([k, v]) => `${k}=${v.toFixed(1)}`)
          .join(" ")} ${load}`,
      );
    };
    for (const workload of WORKLOADS) {
      for (let r = 0; r < rounds; r++) {
        if (workload.runTogether) {
          const ctxs = orderFor(r).map(contextFor);
          const figures = await workload.runTogether(ctxs);
          const load = noteLoad(workload.id, r);
          for (const ctx of ctxs) report(r, workload, ctx.contender.name, figures.get(ctx)!, load);
          continue;
        }
        for (const name of orderFor(r)) {
          const figures = await workload.run(contextFor(name));
          report(r, workload, name, figures, noteLoad(`${workload.id} ${name}`, r));
        }
      }
    }
    if (page && servers.has("raw") && servers.has("ferry")) {
      log(`Chromium: ${browserRounds} rounds of round trips and pipelined calls, raw ws vs ferry…`);
      const results = await page.run(
        servers.get("raw")!,
        servers.get("ferry")!,
        { ...sizes, pipeCalls: sizes.pipeCalls / 2 },
        browserRounds,
        (runs) => {
          const load = runs[0] ? noteLoad("browser", runs[0].round) : "";
          for (const run of runs) {
            log(
              `round ${run.round + 1}/${browserRounds} chromium ${run.contender.padEnd(6)} ${Object.entries(run.figures)
                .map(([k, v]) => `${k}=${v.toFixed(1)}`)
                .join(" ")} ${load}`,
            );
          }
        },
      );
      isolated = results.crossOriginIsolated;
      for (const run of results.runs) {
        tally.add(run.contender, Object.fromEntries(Object.entries(run.figures).map(([k, v]) => [`browser_${k}`, v])));
      }
    }
    const ferryServer = servers.get("ferry");
    if (ferryServer) {
      // The bytes the backend serves at /__ferry/client.js (dist/browser/client.js, minified).
      const res = await fetch(`${ferryServer.info.origin}/__ferry/client.js`);
      if (!res.ok) throw new Error(`ferry server did not serve its client: HTTP ${res.status}`);
      tally.add("ferry", { client_size: gzipSync(Buffer.from(await res.arrayBuffer())).byteLength / 1024 });
    }
  } finally {
    for (const client of clients.values()) client.close();
    for (const server of servers.values()) await server.stop();
    await page?.close();
  }

  // After the servers have stopped: nothing else runs while the app starts.
  const appWindow = withAppWindow
    ? await appWindowRows({ timingRounds: quick ? 1 : Math.max(rounds, 5), memoryRounds: quick ? 1 : rounds, log })
    : undefined;

  const figures = tally.results();
  const table = markdownTable(figures);
  const cpu = cpus()[0]?.model.trim() ?? "unknown";
  const browserPath = chromiumPath();
  const results: BenchResults = {
    date: new Date().toISOString(),
    mode: quick ? "quick" : partial ? "partial" : "full",
    rounds,
    browserRounds,
    // launch.mjs takes --placement out of the script's arguments: put it back unless it was the default.
    command: `npm run bench${process.argv.length > 2 || placement() !== "split" ? " --" : ""}${process.argv
      .slice(2)
      .map((a) => ` ${a}`)
      .join("")}${placement() !== "split" ? ` --placement ${placement()}` : ""}`,
    machine: {
      nproc: cpus().length,
      cpu,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      chromium: withBrowser && browserPath ? chromiumVersion(browserPath) : null,
      crossOriginIsolated: isolated,
      loadAverage: [loadAtStart, loadavg()[0]!],
      placement: { mode: placement(), clients: coresOf("self"), servers: serverCores },
    },
    sizes,
    roundLoads,
    figures,
    table,
    ...(appWindow ? { appWindow } : {}),
  };
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(table);
  if (appWindow) for (const f of appWindow.figures) console.log(`${f.title}: ${f.summary.median.toFixed(1)} ${f.unit}`);
  log(`results written to ${outFile}`);
  if (writeDocs) {
    await mkdir(dirname(DOC), { recursive: true });
    await writeFile(DOC, performanceDoc(results));
    log(`table written to ${DOC}`);
  }
}

/** docs/performance.md: the latest table, the machine, and how to reproduce it. */
function performanceDoc(r: BenchResults): string {
  const m = r.machine;
  const missed = r.figures
    .filter((f) => f.met === false)
    .map(
      (f) =>
        `- **${f.title}**: ${
          f.ratios.ferry !== undefined
            ? `ferry ${f.ratios.ferry.toFixed(2)}× raw ws (median of per-round ratios ${f.pairedRatios.ferry?.toFixed(2) ?? "?"}×)`
            : `ferry ${f.values.ferry?.median.toFixed(2) ?? "?"} ${f.unit}`
        }; target ${f.target}.${f.missNote ? ` ${f.missNote}` : ""}`,
    );
  return `# Performance

ferry measured side by side with raw \`ws\` (the floor), birpc over \`ws\` and tRPC v11's
WebSocket link, in one run on one machine. Each cell is the median over ${r.rounds} rounds
(Chromium rows: ${r.browserRounds}) with (min–max) and, in bold, the ratio to raw ws's median,
then [the lowest–highest ratio of a single round]: a gap to a target narrower than that
spread is not shown by the run. The 1-minute load average is printed beside each round
and kept in \`bench/results.json\` (\`roundLoads\`).
Contenders run one at a time, their order rotating every round. \`bench/results.json\` also
holds every round and the median of per-round ratios (\`pairedRatios\`). The targets are
DESIGN.md's; a missed one is marked **MISSED** and listed below the table with both numbers.

Everything runs as compiled JavaScript on plain \`node\`, with no TypeScript loader in any
process: \`npm run bench\` builds \`dist/\`, then \`bench/launch.mjs\` compiles the bench's own
files with esbuild, leaving packages as imports, so ferry loads from \`dist/\` through its
\`exports\` as in an app, and ws, birpc and tRPC from their published files: every contender,
server and client, runs the same way.

Reproduce with:

\`\`\`sh
npm install
${r.command}
\`\`\`

Machine: ${m.nproc} × ${m.cpu}, Node ${m.node} (${m.platform})${m.chromium ? `, ${m.chromium}` : ""}; run ${r.date}.
1-minute load average ${m.loadAverage[0].toFixed(1)} at the start and ${m.loadAverage[1].toFixed(1)} at the end
(other work shared the ${m.nproc} cores; the min–max spread shows how much it moved the figures).
${placementDoc(m.placement)}

${r.table}

${missed.length ? `Targets ferry misses in this run, and why:\n\n${missed.join("\n")}` : "ferry meets every target in this run."}

## What each row measures

- **Round trip**: \`greet({ name: "Ada" })\` → \`"Hello, Ada!"\`, one at a time, ${r.sizes.rtWarm} warm-up calls
  then ${r.sizes.rtCalls} timed per round; p50 and p99 of those. Each peer takes turns with raw ws alone,
  call by call (the order reversed every other turn), so its samples and raw ws's span the same moments of
  the machine's load; raw ws's cell is from its pairing with ferry. (Taking turns all four together made each
  pay for whichever ran before it, tRPC's 1.4 ms calls above all.) raw ws is an echo of a greet-sized
  JSON frame matched by id: the floor any RPC over \`ws\` pays.
- **Pipelined calls**: ${r.sizes.pipeCalls} greets with ${r.sizes.inFlight} in flight; calls per second.
  raw ws sends one frame per call; ferry coalesces what is queued within a tick.
- **10 MiB binary result**: a command returning the same 10 MiB buffer, ${r.sizes.blobCalls} calls, the contenders
  taking turns call by call.
  birpc and tRPC's ws link carry JSON only, so they return base64 (encoded per call), as an app would.
- **Channel stream**: ${(r.sizes.streamBytes / 1024 / 1024).toLocaleString("en-US")} MiB from a handler to the page in 256 KiB pieces, twice per round,
  raw ws and ferry taking turns. raw ws hands every piece to the socket at once (no flow control,
  the whole stream may sit in its buffer); ferry sends on a \`Channel\`, awaiting each send, so
  the backend never holds more than the window's \`maxBufferedBytes\` (docs/flow-control.md). Each piece
  is a fresh buffer, as a file read gives.
  birpc and tRPC have no byte stream here.
- **Upload stream**: the same bytes the other way, from the page to a handler in 256 KiB pieces, twice
  per round, raw ws and ferry taking turns. raw ws hands every piece to the socket at once; ferry
  passes a page \`ReadableStream\` that the handler reads as a \`ByteStream\`, the page sending only
  within the credit the backend grants (at most \`maxBufferedBytes\` held by the backend).
- **Backend peak RSS** beside each stream: the server child's \`VmHWM\` (Linux), reset through
  \`/proc/<pid>/clear_refs\` before each transfer, the most of the round's two. It includes the
  child's idle RSS (about the same for both contenders).
- **Events**: the backend emits ${r.sizes.eventDeliveries.toLocaleString("en-US")} deliveries in all
  (to 1 connection, or ${(r.sizes.eventDeliveries / 100).toLocaleString("en-US")} to each of 100), ${r.sizes.eventBurst} emits per
  turn of the event loop; timed from the emit request to the last delivery. raw ws serializes once
  and sends one frame per event per connection; birpc sends one event call per connection;
  tRPC one subscription message each.
- **Heap per 1,000 windows**: on a fresh server child, backend \`heapUsed\` after full GCs, before and after ${r.sizes.windows} bare
  connections that completed the contender's handshake (ferry: token + Origin), scaled to 1,000.
- **Heap per 10,000 listeners**: the same, before and after one connection registers ${r.sizes.listeners.toLocaleString("en-US")}
  listeners over 100 event names, scaled to 10,000. raw ws and birpc keep a plain table of
  listener ids; tRPC holds a subscription each, fed by \`node:events\` \`on()\` as tRPC's docs show
  (on Node 20 each \`on()\` iterator alone holds ~33 KB: 331 MiB per 10,000, measured apart).
- **Cold start**: from spawning the backend to the first answered call, the median of ${r.sizes.coldStarts}
  starts per round, the contenders taking turns start by start. First row, ferry: the tutorial backend
  (\`examples/tutorial/server.ts --no-window\`: zod, capabilities, the fs and dialog plugins) and its
  \`greet\`; second row, ferry: the bench's server child, as the peers start in both rows (the bench
  server with only their module loaded; one start of a peer counts for both rows). All compiled
  before the run; nothing is compiled while timed.
- **Chromium page**: Debian's Chromium launched directly (headless, fresh profile, nothing attached),
  the page cross-origin isolated (\`performance.now()\` resolution 5 µs${m.crossOriginIsolated === false ? "; **this run was not isolated: 100 µs resolution**" : ""}),
  ferry's client being the bytes the backend serves at \`/__ferry/client.js\`; raw ws from the same page.
  The same round trips as above; pipelined: ${r.sizes.pipeCalls / 2} calls, ${r.sizes.inFlight} in flight.
- **Browser client size**: the bytes the ferry server serves at \`/__ferry/client.js\` (the whole
  page API: invoke, listen, Channel, reconnect, errors; \`dist/browser/client.js\`, minified), gzip.

Not measured by this bench: copies held for a 256 MiB
result (\`node bench/launch.mjs large 256\`, which prints it against DESIGN.md's ≤ 2 copies:
[large-results.md](large-results.md)), and a second window engine (only Chromium exists yet).

All servers bind 127.0.0.1; every loop is bounded. Full results, every round included:
\`bench/results.json\`.

${appWindowDoc(r.appWindow, r.command)}`;
}

/** The machine paragraph's sentence on which cores clients and servers ran on. */
function placementDoc(p: BenchResults["machine"]["placement"] | undefined): string {
  if (!p || p.mode === "os") {
    return "Placement: none; the scheduler placed every process (`--placement os`), so ratios between servers also measure where it put each.";
  }
  return `Placement \`${p.mode}\`: the clients (this process, Chromium) on core ${p.clients ?? "?"}, every server child on core ${p.servers ?? "?"} (the app-window rows run \`npm start\` on every core)${
    p.mode === "split" ? ", as a desktop app's page and backend run on cores of their own" : ", so both sides' CPU time adds up in series"
  } (\`bench/placement.ts\`). Left to the scheduler, a server sometimes shared the client's core and sometimes not, round by round and server by server: raw ws's echo moved between 24 and 60 µs while ferry's round trip, and a minimal JSON server's, stayed at 59–64 (docs/profile.md, round 5).`;
}

const DOC = fileURLToPath(new URL("../docs/performance.md", import.meta.url));

if (args["docs-from"]) {
  const { readFile } = await import("node:fs/promises");
  const saved = JSON.parse(await readFile(args["docs-from"], "utf8")) as BenchResults;
  // Notes belong to the code, not the run: take the current ones.
  for (const f of saved.figures) {
    const spec = FIGURES.find((s) => s.id === f.id);
    if (f.met === false && spec?.missNote) f.missNote = spec.missNote;
  }
  await writeFile(DOC, performanceDoc(saved));
  log(`table written to ${DOC}`);
} else {
  await main();
}
