/**
 * What the bench reports: each figure's meaning and DESIGN.md target, the ratio table,
 * and the results file.
 */

import type { ContenderName } from "./contenders/types.ts";
import { summarize, type Summary } from "./stats.ts";

type Values = Partial<Record<ContenderName, number>>;

/** One row of the table. */
export interface FigureSpec {
  id: string;
  title: string;
  unit: string;
  better: "lower" | "higher";
  /** DESIGN.md's target for ferry, checked on medians. */
  target?: { text: string; met(v: Values): boolean };
  /** Why ferry can miss the target, and what would close it: printed when it does. */
  missNote?: string;
}

const TAIL_NOTE =
  "p99 tails on a 2-core machine depend on what else runs on the server's and the client's cores: the same " +
  "contender's p99 moves between rounds (see the min–max and the load average above). With the default placement " +
  "(clients on one core, servers on the other) ferry's p99 was 1.12× raw ws [1.01–1.34] in the run of record of " +
  "2026-12-01 (`92ac4e4`); with `--placement shared` 1.15× [1.03–1.53] (docs/profile.md, round 5).";

const RT_NOTE =
  "Where a call's time goes is in docs/profile.md; `node bench/launch.mjs split` parts the gap into what any JSON " +
  "RPC pays over an echo, ferry's backend and ferry's client. Check the placement line above: with `--placement os` " +
  "the scheduler often runs raw ws's echo server on the client's core (a 25 µs round trip) and a server that parses " +
  "its frames, ferry's or a minimal JSON one, on the other (60–63 µs), so that ratio measures placement, not code. " +
  "Pinned, ferry was 1.04× [1.04–1.05] (split, run of record of 2026-12-01) and 1.08× [1.07–1.08] (shared) " +
  "(docs/profile.md, round 5).";

const BINARY_NOTE =
  "Bytes now travel as their own binary WebSocket message after a small text head, so neither side reassembles " +
  "or copies them (the earlier layout, one message in two fragments, measured 0.25–0.43× here). The remaining gap " +
  "has not been profiled; the extra head message per result and the client's per-result handling are the " +
  "candidates.";

const STREAM_NOTE =
  "The stream rows are the noisiest on this machine: a round moves both contenders' MB/s by tens of percent (see " +
  "the min–max), and raw ws, with no flow control, holds the whole stream in memory (its peak RSS, two rows down). " +
  "In the hour a full run gave the channel stream 0.89×, runs of a few rows (`--contenders raw,ferry --rounds 5`) " +
  "gave 1.47× (`--only pipelined,channel`, build `e7b4f51`), 1.21× (the same, `92ac4e4`) and 2.02× " +
  "(`--only pipelined,channel,upload`, `92ac4e4`); docs/flow-control.md has the stream's design.";

const EVENTS_NOTE =
  "These rows climb round by round for ferry (in the run of record of 2026-12-01: 676k, 738k, 868k, 1,129k and " +
  "1,314k events/s to one connection) while raw ws's stay flat: ferry's backend spends about 2 µs per event until " +
  "its per-flush code is optimized, then 0.8 (docs/profile.md, round 5). The median is the third round's figure, " +
  "so fewer rounds, or a loaded machine, lower it. `node bench/launch.mjs cost` gives CPU time per event.";

const COLD_NOTE =
  "This row starts the tutorial backend, an app: on top of ferry's backend and ws transport it imports zod " +
  "(80–95 ms on its own here, imported apart), ferry/acl with its capability files, the fs and dialog plugins and " +
  "ferry/shell (about 35 ms together), and writes a launch file that the bench reads back before it connects. " +
  "The next row starts ferry the way the peers start (the bench server child), which isolates ferry's own share.";

const ratio = (v: Values, of: ContenderName, to: ContenderName) => (v[of] ?? NaN) / (v[to] ?? NaN);
/** ferry's median at most `max` × raw ws's (lower is better). */
const atMost = (max: number) => ({
  text: `≤ ${max.toFixed(2)}× raw ws`,
  met: (v: Values) => ratio(v, "ferry", "raw") <= max,
});
/** ferry's median at least `min` × raw ws's (higher is better). */
const atLeast = (min: number, text = `≥ ${min}× raw ws`) => ({ text, met: (v: Values) => ratio(v, "ferry", "raw") >= min });

// The targets are DESIGN.md's ("Performance (benchmarks, never timed tests)"), number for number.
const RT_P50 = atMost(1.1);
const RT_P99 = atMost(1.25);
const COLD = atMost(1.15);
const EVENTS = atLeast(4, "≥ 4× raw ws (one frame per event)");
const BYTES = atLeast(0.9);

export const FIGURES: FigureSpec[] = [
  { id: "rt_p50", title: "Round trip p50, Node↔Node", unit: "µs", better: "lower", target: RT_P50, missNote: RT_NOTE },
  { id: "rt_p99", title: "Round trip p99, Node↔Node", unit: "µs", better: "lower", target: RT_P99, missNote: TAIL_NOTE },
  {
    id: "pipelined",
    title: "Pipelined calls, 256 in flight, Node↔Node",
    unit: "calls/s",
    better: "higher",
    target: {
      text: "≥ 2× raw ws (one frame per call) and ≥ 5× tRPC",
      met: (v) => ratio(v, "ferry", "raw") >= 2 && ratio(v, "ferry", "trpc") >= 5,
    },
  },
  { id: "binary", title: "10 MiB binary result", unit: "MB/s", better: "higher", target: BYTES, missNote: BINARY_NOTE },
  {
    id: "channel",
    title: "Channel stream handler→page, 256 KiB pieces (raw ws: no flow control)",
    unit: "MB/s",
    better: "higher",
    target: BYTES,
    missNote: STREAM_NOTE,
  },
  {
    id: "upload",
    title: "Upload stream page→handler, 256 KiB pieces (raw ws: no flow control)",
    unit: "MB/s",
    better: "higher",
    target: BYTES,
    missNote: STREAM_NOTE,
  },
  { id: "channel_rss", title: "Channel stream handler→page: backend peak RSS", unit: "MiB", better: "lower" },
  { id: "upload_rss", title: "Upload stream page→handler: backend peak RSS", unit: "MiB", better: "lower" },
  { id: "events_1", title: "Events to 1 connection", unit: "events/s", better: "higher", target: EVENTS, missNote: EVENTS_NOTE },
  { id: "events_100", title: "Events to 100 connections", unit: "events/s", better: "higher", target: EVENTS, missNote: EVENTS_NOTE },
  { id: "mem_windows", title: "Backend heap per 1,000 windows", unit: "MiB", better: "lower" },
  { id: "mem_listeners", title: "Backend heap per 10,000 listeners", unit: "MiB", better: "lower" },
  {
    id: "cold_start",
    title: "Cold start to first served call (ferry: the tutorial app)",
    unit: "ms",
    better: "lower",
    target: COLD,
    missNote: COLD_NOTE,
  },
  {
    id: "cold_start_server",
    title: "Cold start to first served call (ferry: the bench server)",
    unit: "ms",
    better: "lower",
    target: COLD,
  },
  { id: "browser_rt_p50", title: "Round trip p50, Chromium page", unit: "µs", better: "lower", target: RT_P50, missNote: RT_NOTE },
  { id: "browser_rt_p99", title: "Round trip p99, Chromium page", unit: "µs", better: "lower", target: RT_P99, missNote: TAIL_NOTE },
  {
    id: "browser_pipelined",
    title: "Pipelined calls, 256 in flight, Chromium page",
    unit: "calls/s",
    better: "higher",
    // DESIGN.md's pipelined target; tRPC does not run in the page.
    target: atLeast(2, "≥ 2× raw ws (one frame per call)"),
  },
  {
    id: "client_size",
    title: "Browser client, minified + gzip",
    unit: "KB",
    better: "lower",
    target: { text: "≤ 5 KB", met: (v) => (v.ferry ?? Infinity) <= 5 },
  },
];

/** One figure in the results file. */
export interface FigureResult {
  id: string;
  title: string;
  unit: string;
  better: "lower" | "higher";
  target: string | null;
  /** Per contender: median, min, max and every round. */
  values: Partial<Record<ContenderName, Summary>>;
  /** Median over raw ws's median, per contender. */
  ratios: Partial<Record<ContenderName, number>>;
  /**
   * Median of the per-round ratios to raw ws (round r against raw's round r): steadier
   * than the ratio of medians when other work shares the machine.
   */
  pairedRatios: Partial<Record<ContenderName, number>>;
  /**
   * Lowest and highest per-round ratio to raw ws: how far the rounds moved the ratio. A gap
   * to a target smaller than this spread is not shown by the run.
   */
  pairedSpread: Partial<Record<ContenderName, [number, number]>>;
  /** Whether ferry meets the target; null when the figure has none. */
  met: boolean | null;
  /** Why a missed target is missed (only when `met` is false and a note exists). */
  missNote?: string;
}

/** Collects rounds per figure and contender. */
export class Tally {
  private readonly rounds = new Map<string, Map<ContenderName, number[]>>();

  add(contender: ContenderName, figures: Record<string, number>): void {
    for (const [id, value] of Object.entries(figures)) {
      let byContender = this.rounds.get(id);
      if (!byContender) this.rounds.set(id, (byContender = new Map()));
      let list = byContender.get(contender);
      if (!list) byContender.set(contender, (list = []));
      list.push(value);
    }
  }

  results(): FigureResult[] {
    const out: FigureResult[] = [];
    for (const spec of FIGURES) {
      const byContender = this.rounds.get(spec.id);
      if (!byContender) continue;
      const values: FigureResult["values"] = {};
      const medians: Values = {};
      for (const [name, list] of byContender) {
        values[name] = summarize(list);
        medians[name] = values[name].median;
      }
      const ratios: FigureResult["ratios"] = {};
      const pairedRatios: FigureResult["pairedRatios"] = {};
      const pairedSpread: FigureResult["pairedSpread"] = {};
      const rawRounds = byContender.get("raw");
      if (medians.raw !== undefined) for (const [name, m] of Object.entries(medians)) ratios[name as ContenderName] = m / medians.raw;
      if (rawRounds) {
        for (const [name, list] of byContender) {
          if (list.length !== rawRounds.length) continue;
          const paired = summarize(list.map((v, i) => v / rawRounds[i]!));
          pairedRatios[name] = paired.median;
          pairedSpread[name] = [paired.min, paired.max];
        }
      }
      const met = spec.target && medians.ferry !== undefined ? spec.target.met(medians) : null;
      const result: FigureResult = {
        id: spec.id,
        title: spec.title,
        unit: spec.unit,
        better: spec.better,
        target: spec.target?.text ?? null,
        values,
        ratios,
        pairedRatios,
        pairedSpread,
        met,
      };
      if (met === false && spec.missNote) result.missNote = spec.missNote;
      out.push(result);
    }
    return out;
  }
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString("en-US");
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

const COLUMNS: { name: ContenderName; label: string }[] = [
  { name: "raw", label: "raw ws (floor)" },
  { name: "birpc", label: "birpc" },
  { name: "trpc", label: "tRPC v11 ws" },
  { name: "ferry", label: "ferry" },
];

/**
 * The Markdown table: each cell is `median (min–max) ratio-to-raw [lowest–highest
 * per-round ratio]`; the last columns give
 * ferry's DESIGN.md target and whether the median meets it.
 */
export function markdownTable(results: FigureResult[]): string {
  const lines = [
    `| workload | ${COLUMNS.map((c) => c.label).join(" | ")} | ferry target | met |`,
    `|---|${COLUMNS.map(() => "---:").join("|")}|---|---|`,
  ];
  for (const r of results) {
    const cells = COLUMNS.map(({ name }) => {
      const s = r.values[name];
      if (!s) return "—";
      const spreadOfRatio = r.pairedSpread?.[name];
      const ratioText =
        r.ratios[name] !== undefined && name !== "raw"
          ? ` **${r.ratios[name]!.toFixed(2)}×**${
              spreadOfRatio && s.rounds.length > 1 ? ` [${spreadOfRatio[0].toFixed(2)}–${spreadOfRatio[1].toFixed(2)}]` : ""
            }`
          : "";
      const spread = s.rounds.length > 1 ? ` (${fmt(s.min)}–${fmt(s.max)})` : "";
      return `${fmt(s.median)}${spread}${ratioText}`;
    });
    const better = r.better === "lower" ? "lower is better" : "higher is better";
    const met = r.met === null ? "" : r.met ? "yes" : "**MISSED**";
    lines.push(`| ${r.title} (${r.unit}, ${better}) | ${cells.join(" | ")} | ${r.target ?? "—"} | ${met} |`);
  }
  return lines.join("\n");
}
