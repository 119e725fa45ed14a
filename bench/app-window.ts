/**
 * The app window rows of `npm run bench`: `npm start` to the first painted page and to the
 * first answered invoke, and the memory of the window's processes with one window and two.
 *
 * What runs is `npm start` without npm and tsx: the compiled tutorial backend on plain
 * `node` (bench/launch.mjs compiled it, as for the cold-start row), with a fresh
 * XDG_DATA_HOME each round, so every start makes a new browser profile, as a first run does.
 * Without a DISPLAY the bench starts its own Xvfb and openbox (test/support/display.ts).
 *
 * Times are measured from outside, with no hook in ferry or in the page: in the timing
 * rounds FERRY_BROWSER points at a two-line wrapper that starts Debian's Chromium with a
 * startup trace (`--trace-startup`, categories devtools.timeline, loading,
 * blink.user_timing). Chromium stamps trace events with CLOCK_MONOTONIC, the clock of
 * `process.hrtime` here, so the trace's events line up with the moment this process
 * spawned the backend:
 * - first painted page: `firstContentfulPaint` of the app page's navigation (the boot
 *   `data:` page the engine opens first paints nothing contentful), a presentation time;
 * - first answered invoke: the first `WebSocketReceive` on the page's ferry socket, after
 *   its first `WebSocketSend`. The tutorial page invokes `greet` as it loads, and ferry
 *   sends nothing unasked, so that frame is the answer.
 * Tracing costs the browser some time, so the untraced rounds (the memory ones) also
 * report spawn → "app window open" for comparison.
 *
 * Memory: in rounds without tracing, PSS and RSS (from /proc/<pid>/smaps_rollup) summed
 * over the browser and all its descendants (zygotes, renderers, GPU, utility processes),
 * and the backend's own, once the page has settled (two samples 500 ms apart within 2 %).
 */

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startDisplay, type Display } from "../test/support/display.ts";
import { chromiumPath } from "./browser.ts";
import { bounded } from "./children.ts";
import { placed } from "./placement.ts";
import { compiledScript } from "./compiled.ts";
import { summarize, type Summary } from "./stats.ts";

/** One app-window figure over its rounds. */
export interface AppWindowFigure {
  id: string;
  title: string;
  unit: string;
  summary: Summary;
}

/** The app-window section of bench/results.json. */
export interface AppWindowResults {
  /** Why the section did not run (no Chromium, no Xvfb…). */
  skipped?: string;
  /** "Xvfb + openbox (started by the bench)" or the DISPLAY it used. */
  display?: string;
  timingRounds: number;
  memoryRounds: number;
  /** The startup trace's duration the timing rounds used, in seconds. */
  traceSeconds?: number;
  /** When these rows ran, and the 1-minute load average at their start and end. */
  date?: string;
  loadAverage?: [number, number];
  figures: AppWindowFigure[];
}

const APP_ORIGIN = "http://dev.ferry.tutorial.localhost";
const MiB = 1024;

/** Why the app-window rows cannot run here, or undefined when they can. */
export function appWindowUnavailable(): string | undefined {
  if (process.platform !== "linux") return `app-window rows run on Linux only (this is ${process.platform})`;
  if (!chromiumPath()) return "no Chromium (/usr/bin/chromium or CHROMIUM_PATH)";
  if (process.env.DISPLAY) return undefined;
  for (const tool of ["Xvfb", "openbox", "wmctrl"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
      return `no DISPLAY and no ${tool} to make one (apt-get install xvfb openbox wmctrl)`;
    }
  }
  return undefined;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Every descendant of `pid`, by /proc/<pid>/task/<tid>/children. */
async function descendants(pid: number): Promise<number[]> {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    let tasks: string[];
    try {
      tasks = await readdir(`/proc/${p}/task`);
    } catch {
      continue; // gone meanwhile
    }
    for (const t of tasks) {
      const children = await readFile(`/proc/${p}/task/${t}/children`, "utf8").catch(() => "");
      for (const c of children.trim().split(/\s+/).filter(Boolean)) {
        out.push(Number(c));
        queue.push(Number(c));
      }
    }
  }
  return out;
}

interface Memory {
  /** KiB. */
  pss: number;
  rss: number;
  /** Private (clean + dirty): pages no other process maps. */
  uss: number;
  count: number;
  /** PSS in KiB per Chromium process type (`--type=`; "browser" without one). */
  byType: Record<string, number>;
}

/** PSS and RSS in KiB summed over `pids` (processes that ended meanwhile count 0). */
async function memoryOf(pids: number[]): Promise<Memory> {
  const m: Memory = { pss: 0, rss: 0, uss: 0, count: 0, byType: {} };
  for (const pid of pids) {
    const text = await readFile(`/proc/${pid}/smaps_rollup`, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    // Chromium's child processes rewrite their command line as one space-separated string.
    const type = /(?:^|[\0 ])--type=([^\0 ]+)/.exec(cmdline)?.[1] ?? "browser";
    const pss = Number(/^Pss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
    m.count++;
    m.pss += pss;
    m.rss += Number(/^Rss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
    m.uss += Number(/^Private_Clean:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) + Number(/^Private_Dirty:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
    m.byType[type] = (m.byType[type] ?? 0) + pss;
  }
  return m;
}

/** A running `npm start`: the compiled tutorial backend in its own process group. */
interface Started {
  child: ChildProcess;
  /** When it was spawned (µs, CLOCK_MONOTONIC). */
  t0: number;
  /** When a stdout line containing `text` arrived (µs), waiting up to `ms`. */
  line(text: string, ms: number): Promise<number>;
  output(): string;
}

function startTutorial(env: NodeJS.ProcessEnv, windows: string): Started {
  const t0 = nowUs();
  const child = spawn(...placed("any", process.execPath, [compiledScript("tutorial"), "--window", windows]), {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  const seen = new Map<string, number>();
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    const at = nowUs();
    for (const line of out.split("\n")) if (!seen.has(line)) seen.set(line, at);
    for (const w of waiters) w();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`the tutorial backend exited (${code}) early:\n${out.slice(-2000)}`))),
  );
  exited.catch(() => {});
  return {
    child,
    t0,
    output: () => out,
    line(text, ms) {
      const find = () => [...seen].find(([l]) => l.includes(text))?.[1];
      const waiting = new Promise<number>((resolve) => {
        const check = () => {
          const at = find();
          if (at !== undefined) {
            waiters.delete(check);
            resolve(at);
          }
        };
        waiters.add(check);
        check();
      });
      return bounded(Promise.race([waiting, exited]), ms, `"${text}" from npm start (output so far: ${out.slice(-500)})`);
    },
  };
}

/** Ctrl+C, as a user would; whatever is left of the process group goes with SIGKILL. */
async function stopTutorial(s: Started): Promise<void> {
  const exited = s.child.exitCode === null ? new Promise((r) => s.child.once("exit", r)) : Promise.resolve();
  s.child.kill("SIGINT");
  await bounded(exited, 15_000, "stopping npm start").catch(() => {});
  try {
    process.kill(-s.child.pid!, "SIGKILL");
  } catch {
    // nothing left
  }
}

interface TraceEvent {
  name: string;
  ts: number;
  args?: { frame?: string; data?: Record<string, unknown> };
}

/** The app page's navigation, first contentful paint and first answered invoke in a startup trace. */
function readTrace(events: TraceEvent[]): { navigation: number; paint: number; invoke: number } {
  const sorted = events.filter((e) => typeof e.ts === "number" && e.ts > 0).sort((a, b) => a.ts - b.ts);
  const nav = sorted.find(
    (e) => e.name === "navigationStart" && String(e.args?.data?.documentLoaderURL ?? "").startsWith(`${APP_ORIGIN}/`),
  );
  if (!nav) throw new Error("the startup trace has no navigation to the app page");
  const navigationId = nav.args?.data?.navigationId;
  const frame = nav.args?.frame;
  const paint = sorted.find((e) => e.name === "firstContentfulPaint" && e.args?.data?.navigationId === navigationId);
  if (!paint) throw new Error("the startup trace has no first contentful paint of the app page");
  const socket = sorted.find(
    (e) => e.name === "WebSocketCreate" && e.args?.data?.frame === frame && String(e.args?.data?.url).endsWith("/__ferry/ws"),
  );
  if (!socket) throw new Error("the startup trace has no ferry WebSocket on the app page");
  const id = socket.args!.data!.identifier;
  const sent = sorted.find((e) => e.name === "WebSocketSend" && e.args?.data?.identifier === id);
  const answer = sent && sorted.find((e) => e.name === "WebSocketReceive" && e.args?.data?.identifier === id && e.ts >= sent.ts);
  if (!answer) throw new Error("the startup trace has no answered invoke on the ferry WebSocket");
  return { navigation: nav.ts, paint: paint.ts, invoke: answer.ts };
}

/** Waits for Chromium to write the startup trace (when its duration is over) and parses it. */
async function traceFile(file: string, ms: number): Promise<TraceEvent[]> {
  const start = Date.now();
  for (;;) {
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text !== undefined) {
      try {
        return (JSON.parse(text) as { traceEvents: TraceEvent[] }).traceEvents;
      } catch {
        // still being written
      }
    }
    if (Date.now() - start > ms) throw new Error(`Chromium wrote no startup trace to ${file} within ${ms} ms`);
    await sleep(200);
  }
}

export interface AppWindowOptions {
  timingRounds: number;
  memoryRounds: number;
  log(line: string): void;
}

/** Runs the app-window rows; resolves with `skipped` set when they cannot run here. */
export async function appWindowRows(options: AppWindowOptions): Promise<AppWindowResults> {
  const { timingRounds, memoryRounds, log } = options;
  const empty = { timingRounds, memoryRounds, figures: [] };
  const unavailable = appWindowUnavailable();
  if (unavailable) {
    log(`app window rows skipped: ${unavailable}`);
    return { ...empty, skipped: unavailable };
  }
  const chromium = chromiumPath()!;
  const date = new Date().toISOString();
  const loadAtStart = loadavg()[0]!;
  let display: Display | undefined;
  let displayName = `DISPLAY=${process.env.DISPLAY}`;
  if (!process.env.DISPLAY) {
    display = await startDisplay();
    displayName = "Xvfb 1280×800 + openbox (started by the bench)";
  }
  const baseEnv: NodeJS.ProcessEnv = { ...(display?.env ?? process.env) };
  const work = await mkdtemp(join(tmpdir(), "ferry-bench-window-"));
  const values = new Map<string, number[]>();
  const add = (id: string, v: number) => {
    let list = values.get(id);
    if (!list) values.set(id, (list = []));
    list.push(v);
  };
  try {
    // Memory (and the untraced start), one window and two, taking turns.
    for (let r = 0; r < memoryRounds; r++) {
      for (const windows of ["main", "main,limited"]) {
        const n = windows.split(",").length;
        const env = { ...baseEnv, XDG_DATA_HOME: join(work, `mem-${r}-${n}`), FERRY_BROWSER: chromium };
        const s = startTutorial(env, windows);
        try {
          const open = await s.line("app window open", 120_000);
          if (n === 1) add("start_to_window_untraced", (open - s.t0) / 1000);
          await sleep(2000);
          let previous = -1;
          let sample: { browser: Memory; backend: Memory } | undefined;
          for (let i = 0; i < 30; i++) {
            const browserPids = await descendants(s.child.pid!);
            sample = { browser: await memoryOf(browserPids), backend: await memoryOf([s.child.pid!]) };
            if (previous > 0 && Math.abs(sample.browser.pss - previous) / previous < 0.02) break;
            previous = sample.browser.pss;
            await sleep(500);
          }
          if (!sample) throw new Error("no memory sample");
          for (const [type, kib] of Object.entries(sample.browser.byType)) add(`pss_${type}_${n}`, kib / MiB);
          add(`browser_pss_${n}`, sample.browser.pss / MiB);
          add(`browser_rss_${n}`, sample.browser.rss / MiB);
          add(`browser_uss_${n}`, sample.browser.uss / MiB);
          add(`browser_processes_${n}`, sample.browser.count);
          add(`backend_pss_${n}`, sample.backend.pss / MiB);
          add(`backend_rss_${n}`, sample.backend.rss / MiB);
          add(`total_pss_${n}`, (sample.browser.pss + sample.backend.pss) / MiB);
          log(
            `app window round ${r + 1}/${memoryRounds} ${n} window${n > 1 ? "s" : ""}: browser PSS ${(sample.browser.pss / MiB).toFixed(1)} MiB ` +
              `(RSS ${(sample.browser.rss / MiB).toFixed(1)}, ${sample.browser.count} processes: ${Object.entries(sample.browser.byType)
                .map(([t, k]) => `${t} ${(k / MiB).toFixed(1)}`)
                .join(", ")}), backend PSS ${(sample.backend.pss / MiB).toFixed(1)} MiB`,
          );
        } finally {
          await stopTutorial(s);
        }
      }
    }
    // The trace must outlast the slowest untraced start by a margin: Chromium writes it when its duration ends.
    const slowest = Math.max(...(values.get("start_to_window_untraced") ?? [5000]));
    let traceSeconds = Math.min(60, Math.max(6, Math.ceil((2 * slowest) / 1000) + 3));
    for (let r = 0; r < timingRounds; r++) {
      for (let attempt = 0; ; attempt++) {
        const dir = join(work, `trace-${r}-${attempt}`);
        const trace = join(dir, "trace.json");
        const wrapper = join(work, `chromium-traced-${r}-${attempt}.sh`);
        await writeFile(
          wrapper,
          `#!/bin/sh\nexec '${chromium}' --trace-startup=devtools.timeline,loading,blink.user_timing --trace-startup-format=json ` +
            `--trace-startup-duration=${traceSeconds} '--trace-startup-file=${trace}' "$@"\n`,
        );
        await chmod(wrapper, 0o755);
        const s = startTutorial({ ...baseEnv, XDG_DATA_HOME: dir, FERRY_BROWSER: wrapper }, "main");
        try {
          const listening = await s.line("ferry tutorial app on", 60_000);
          const open = await s.line("app window open", 120_000);
          const events = await traceFile(trace, (traceSeconds + 60) * 1000);
          const read = (() => {
            try {
              return readTrace(events);
            } catch (err) {
              return err as Error;
            }
          })();
          if (read instanceof Error) {
            if (attempt === 0) {
              traceSeconds = Math.min(120, traceSeconds * 2);
              log(`app window timing round ${r + 1}: ${read.message}; again with a ${traceSeconds} s trace`);
              continue;
            }
            throw read;
          }
          const ms = (us: number) => (us - s.t0) / 1000;
          if (!(ms(read.navigation) > 0 && read.invoke < nowUs())) {
            throw new Error("the trace's clock does not match this process's monotonic clock; the timing rows cannot be trusted here");
          }
          add("start_to_listen", ms(listening));
          add("start_to_window", ms(open));
          add("start_to_navigation", ms(read.navigation));
          add("start_to_paint", ms(read.paint));
          add("start_to_invoke", ms(read.invoke));
          log(
            `app window timing round ${r + 1}/${timingRounds}: listening ${ms(listening).toFixed(0)} ms, app page navigation ` +
              `${ms(read.navigation).toFixed(0)} ms, first paint ${ms(read.paint).toFixed(0)} ms, first invoke answered ${ms(read.invoke).toFixed(0)} ms`,
          );
          break;
        } finally {
          await stopTutorial(s);
        }
      }
    }
    return {
      date,
      loadAverage: [loadAtStart, loadavg()[0]!],
      display: displayName,
      timingRounds,
      memoryRounds,
      traceSeconds,
      figures: [
        ...APP_WINDOW_FIGURES.filter((f) => values.has(f.id)),
        // Where the browser's PSS goes, by Chromium process type.
        ...[...values.keys()]
          .filter((id) => id.startsWith("pss_"))
          .sort((a, b) => a.localeCompare(b))
          .map((id) => {
            const [, type, n] = /^pss_(.+)_(\d)$/.exec(id)!;
            return { id, title: `… ${type} (${n} window${n === "2" ? "s" : ""}): PSS`, unit: "MiB" };
          }),
      ].map((f) => ({ ...f, summary: summarize(values.get(f.id)!) })),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
    await display?.stop();
  }
}

/** The rows in the order the docs show them. */
export const APP_WINDOW_FIGURES: { id: string; title: string; unit: string }[] = [
  { id: "start_to_listen", title: "npm start → backend listening (stdout line)", unit: "ms" },
  { id: "start_to_window", title: "npm start → “app window open” (traced rounds)", unit: "ms" },
  { id: "start_to_window_untraced", title: "npm start → “app window open” (untraced rounds)", unit: "ms" },
  { id: "start_to_navigation", title: "npm start → app page navigation starts", unit: "ms" },
  { id: "start_to_paint", title: "npm start → first painted page (first contentful paint)", unit: "ms" },
  { id: "start_to_invoke", title: "npm start → first answered invoke (the page's `greet`)", unit: "ms" },
  { id: "browser_pss_1", title: "Browser processes, 1 window: PSS", unit: "MiB" },
  { id: "browser_uss_1", title: "Browser processes, 1 window: private (USS) summed", unit: "MiB" },
  { id: "browser_rss_1", title: "Browser processes, 1 window: RSS summed", unit: "MiB" },
  { id: "browser_processes_1", title: "Browser processes, 1 window: count", unit: "" },
  { id: "browser_pss_2", title: "Browser processes, 2 windows: PSS", unit: "MiB" },
  { id: "browser_uss_2", title: "Browser processes, 2 windows: private (USS) summed", unit: "MiB" },
  { id: "browser_rss_2", title: "Browser processes, 2 windows: RSS summed", unit: "MiB" },
  { id: "browser_processes_2", title: "Browser processes, 2 windows: count", unit: "" },
  { id: "backend_pss_1", title: "Backend (node), 1 window: PSS", unit: "MiB" },
  { id: "backend_rss_1", title: "Backend (node), 1 window: RSS", unit: "MiB" },
  { id: "backend_pss_2", title: "Backend (node), 2 windows: PSS", unit: "MiB" },
  { id: "total_pss_1", title: "Whole app (browser + backend), 1 window: PSS", unit: "MiB" },
  { id: "total_pss_2", title: "Whole app (browser + backend), 2 windows: PSS", unit: "MiB" },
];

/** Published hello-world figures of Tauri and Electron, with where they come from. */
export const PUBLISHED = `Published hello-world figures, for scale (neither framework can be installed here, so
they were not measured on this machine). Both come from Tauri's own benchmark suite, which
runs on GitHub Actions \`ubuntu-latest\` and publishes its data in
[tauri-apps/benchmark_results](https://github.com/tauri-apps/benchmark_results) (charted
on [Tauri's benchmarks page](https://v1.tauri.app/v1/references/benchmarks/)):

| app (Linux) | run | time to \`DOMContentLoaded\` (hyperfine mean) | peak memory | source |
|---|---|---:|---:|---|
| Tauri hello world (WebKitGTK) | 2026-06-13, tauri \`9167826\` | 745 ms | 404,033,535 B (385 MiB) | \`tauri-recent-linux.json\` |
| Electron hello world | 2022-06-19, the last Electron run published | 434 ms | 472,907,776 B (451 MiB) | \`electron-recent.json\` |

How they measure memory differs from the rows above: Tauri's harness today takes the peak
of \`mprof run -C\` (RSS of the process and its children, summed: pages shared between
processes count once per process), and the 2022 Electron run used \`time -v\`'s maximum
RSS. Compare them with the "RSS summed" rows, not with PSS. Their time is to
\`DOMContentLoaded\` of a one-line page, with no backend call; ours is to a painted page and
to an answered \`invoke\` of the tutorial (a Node backend, zod, capabilities). Tauri's own
tracker has a critique of the memory method: Chromium's processes share much of their
memory, which RSS sums count many times over
([tauri-apps/tauri#5889](https://github.com/tauri-apps/tauri/issues/5889)). No
independent measurement of both on one machine was found that could be cited with its
method.`;

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** The app-window section of docs/performance.md. */
export function appWindowDoc(r: AppWindowResults | undefined, command: string): string {
  const head = "## App window: `npm start` to a painted page, and memory";
  if (!r) return `${head}\n\nNot run in this bench run.\n\n${PUBLISHED}\n`;
  if (r.skipped) return `${head}\n\nSkipped in this run: ${r.skipped}.\n\n${PUBLISHED}\n`;
  const rows = r.figures.map((f) => {
    const s = f.summary;
    const spread = s.rounds.length > 1 ? ` (${fmt(s.min)}–${fmt(s.max)})` : "";
    return `| ${f.title}${f.unit ? ` (${f.unit})` : ""} | ${fmt(s.median)}${spread} |`;
  });
  return `${head}

\`npm start\` as a user runs it, minus npm and tsx: the compiled tutorial backend on plain
\`node\`, which opens the tutorial in a Chromium app window (Debian's Chromium over the
DevTools pipe; as root, so with \`--no-sandbox\`), on ${r.display}. Each start has a fresh
\`XDG_DATA_HOME\`, so a new browser profile, as a first run. Run ${r.date ?? "?"}, 1-minute load
average ${r.loadAverage?.[0].toFixed(1) ?? "?"} at the start and ${r.loadAverage?.[1].toFixed(1) ?? "?"} at the end. Median over ${r.timingRounds} timing
rounds and ${r.memoryRounds} memory rounds, with (min–max). Reproduce with \`${command}\`, or these rows
alone with \`npm run bench -- --only app-window\` (they may come from such a run: the date and
load average here are theirs).

| ${"row"} | ferry |
|---|---:|
${rows.join("\n")}

How it is measured (\`bench/app-window.ts\`), with no hook in ferry or in the page:

- **Times** are from spawning the backend. In the timing rounds \`FERRY_BROWSER\` points at a
  two-line wrapper that starts Chromium with a startup trace (\`--trace-startup\`,
  categories \`devtools.timeline\`, \`loading\`, \`blink.user_timing\`, ${r.traceSeconds ?? "?"} s). Chromium stamps
  trace events with \`CLOCK_MONOTONIC\`, the clock of \`process.hrtime\`, so they line up with
  the spawn. *First painted page* is the \`firstContentfulPaint\` of the app page's navigation
  (a presentation time; the engine's \`data:\` boot page paints nothing contentful). *First
  answered invoke* is the first \`WebSocketReceive\` on the page's ferry socket after its
  first \`WebSocketSend\`: the page invokes \`greet\` as it loads, and ferry sends nothing unasked,
  so that frame is the answer. "app window open" is the backend's stdout line once the
  window's page has been asked to load. Tracing slows the browser: compare the traced and
  untraced "app window open" rows.
- **Memory** is read in separate rounds without tracing, once the page has settled (from 2 s
  after "app window open", until two samples 500 ms apart agree within 2 %): PSS and RSS from
  \`/proc/<pid>/smaps_rollup\`, summed over the browser and every descendant (zygotes,
  renderers, GPU and utility processes). PSS divides each shared page among the processes
  sharing it, so the PSS sum is what the app costs the machine; the RSS sum counts shared
  pages once per process; USS counts only pages no other process maps. PSS also divides
  Chromium's code pages with *any* other Chromium on the machine: when other work runs
  Chromium meanwhile (on this machine: other sessions' tests), that round's PSS drops while
  its RSS and USS do not; the highest PSS is the closest to the app running alone. Two windows: \`npm start -- --window main,limited\` (one browser,
  a second renderer). Pages the two renderers share leave USS, so it need not grow.

${PUBLISHED}
`;
}
