/**
 * `node bench/launch.mjs profile [raw|ferry ...]`: where a call's time goes (compiled, plain
 * node: ferry's frames are its `dist/` modules).
 *
 * For each contender, runs sequential and pipelined greets after a warm-up with the V8
 * profiler on in the server child and in this (client) process, then prints
 * self time per call by function and by module group, server and client side. The
 * difference between ferry's rows and raw ws's is what ferry adds per call.
 */

import { Session } from "node:inspector/promises";
import { spawnServer } from "./children.ts";
import { CONTENDERS } from "./contenders/index.ts";
import type { ContenderName } from "./contenders/types.ts";
import { pipelineRate } from "./workloads.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const SEQUENTIAL = 20_000;
const PIPELINED = 60_000;

/** Which part of the process a profile frame belongs to. */
function group(url: string, name: string): string {
  if (name === "(garbage collector)") return "GC";
  if (name === "(idle)" || name === "(program)") return name;
  if (url.includes("/node_modules/ws/")) return "ws library";
  if (url.includes("/dist/")) return `ferry ${url.slice(url.lastIndexOf("/dist/") + 6)}`;
  // The compiled bench lives in a temporary folder (bench/launch.mjs).
  if (url.includes("/ferry-bench-")) return "bench harness";
  if (url.includes("/node_modules/")) return url.slice(url.lastIndexOf("/node_modules/") + 14).split("/")[0]!;
  if (url.startsWith("node:")) return "node internals (js)";
  return "native / runtime";
}

/** Self time in µs per call, by function and by group; `(idle)` left out. */
function summarize(profile: CpuProfile, calls: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fns = new Map<string, number>();
  const groups = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") continue;
    const file = url ? url.slice(url.lastIndexOf("/") + 1) : "";
    const key = `${functionName || "(anonymous)"} ${file ? `${file}:${lineNumber + 1}` : ""}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + us / calls);
    const g = group(url, functionName);
    groups.set(g, (groups.get(g) ?? 0) + us / calls);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  const total = [...groups.values()].reduce((a, b) => a + b, 0);
  return { total, groups: sorted(groups), fns: sorted(fns) };
}

function print(title: string, s: ReturnType<typeof summarize>, top = 18): void {
  console.log(`\n#### ${title}: ${s.total.toFixed(2)} µs busy per call\n`);
  console.log("| group | µs/call |\n|---|---:|");
  for (const [g, us] of s.groups.slice(0, 12)) console.log(`| ${g} | ${us.toFixed(2)} |`);
  console.log("\n| function (self time) | µs/call |\n|---|---:|");
  for (const [f, us] of s.fns.slice(0, top)) console.log(`| \`${f}\` | ${us.toFixed(2)} |`);
}

async function profileContender(name: ContenderName, mode: "sequential" | "pipelined"): Promise<void> {
  const server = await spawnServer(name);
  const client = await CONTENDERS[name].connect(server.info);
  const calls = mode === "sequential" ? SEQUENTIAL : PIPELINED;
  // Warm up before the profilers start.
  await pipelineRate(() => client.greet("Ada"), 20_000, 256);
  for (let i = 0; i < 2000; i++) await client.greet("Ada");
  await server.profileStart();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 50 });
  await session.post("Profiler.start");
  const t0 = performance.now();
  if (mode === "sequential") for (let i = 0; i < calls; i++) await client.greet("Ada");
  else await pipelineRate(() => client.greet("Ada"), calls, 256);
  const wall = ((performance.now() - t0) * 1000) / calls;
  const { profile } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
  const serverProfile = (await server.profileStop()) as CpuProfile;
  session.disconnect();
  client.close();
  await server.stop();
  console.log(`\n### ${name}, ${mode}: ${wall.toFixed(2)} µs wall per call (${calls} calls, both profilers on)`);
  print(`${name} server (${mode})`, summarize(serverProfile, calls));
  print(`${name} client (${mode})`, summarize(profile, calls));
}

const names = (process.argv.slice(2).length ? process.argv.slice(2) : ["raw", "ferry"]) as ContenderName[];
for (const mode of ["sequential", "pipelined"] as const) {
  for (const name of names) await profileContender(name, mode);
}
