/**
 * Which cores the bench's processes run on. `bench/launch.mjs` decides (`--placement`) and
 * starts the bench script already pinned to the client core; it names the placement and the
 * servers' core in FERRY_BENCH_PLACEMENT and FERRY_BENCH_SERVER_CPU. Children the script
 * starts inherit its core unless started through `placed`:
 *
 * - `split` (the default with 2 or more cores): clients (this process, and Chromium, which
 *   inherits) on core 0, every server child on core 1 (the first and second cores this
 *   process may use, where those are not 0 and 1). A desktop app's page and backend run
 *   on cores of their own in the same way.
 * - `shared`: clients and servers on one core, so a round trip costs both sides' CPU time in
 *   series.
 * - `os`: no pinning; the scheduler places every process and may move it.
 *
 * Why pin at all: left to the scheduler, a server child sometimes shared the client's core
 * (a raw ws round trip of 25 µs) and sometimes not (55 µs), round by round and server by
 * server, so a ratio between two servers measured placement more than code (docs/profile.md,
 * round 5).
 */

import { readFileSync } from "node:fs";
import { cpus } from "node:os";

export type Placement = "split" | "shared" | "os";

/** The placement this run uses (`os` when launch.mjs pinned nothing). */
export function placement(): Placement {
  const p = process.env.FERRY_BENCH_PLACEMENT;
  return p === "split" || p === "shared" ? p : "os";
}

/**
 * `[command, args]` that start `file args` on the cores its role gets: `server` on the
 * servers' core, `any` on every core (the app-window rows time `npm start` as a user runs it).
 */
export function placed(role: "server" | "any", file: string, args: string[]): [string, string[]] {
  if (placement() === "os") return [file, args];
  const cores =
    role === "server" ? (process.env.FERRY_BENCH_SERVER_CPU ?? "0") : (process.env.FERRY_BENCH_ALL_CPUS ?? `0-${cpus().length - 1}`);
  return ["taskset", ["-c", cores, file, ...args]];
}

/** The cores a process may run on, as Linux lists them (`0`, `0-1`), or null off Linux. */
export function coresOf(pid: number | "self"): string | null {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? null;
  } catch {
    return null;
  }
}
