/**
 * `node bench/launch.mjs overhead`: ferry's own cost per greet with no socket at all: the
 * backend driven through `app.connect` with a peer that only counts frames, and the client
 * driven through a transport that answers in-process. What is left is the time ferry's
 * code adds on each side of a call. Minimum over trials, since interference only adds.
 *
 * Then bytes allocated per call, short-lived objects included (V8's sampling heap profiler
 * over the inspector, one sample per 64 bytes), with the driver's own share taken out: the
 * sequential backend case awaits a turn of the event loop per call, which allocates too.
 */

import { Session } from "node:inspector/promises";
import { setImmediate as nextTurn } from "node:timers/promises";
import { createClient, type ClientTransport, type TransportSink } from "ferry/client";
import { createBenchApp, BENCH_WINDOW } from "./contenders/ferry.ts";

const CALLS = 20_000;
const TRIALS = 9;
const invoke = (id: number) => `{"t":"i","id":${id},"cmd":"greet","a":{"name":"Ada"}}`;

/** The sequential driver alone: a turn of the event loop per "call", no ferry. */
async function driverOnly(): Promise<number> {
  const t0 = performance.now();
  for (let i = 1; i <= CALLS; i++) {
    invoke(i);
    await nextTurn();
  }
  return ((performance.now() - t0) * 1e6) / CALLS;
}

/** Backend, one call per event-loop turn (the sequential shape): ns per call. */
async function backendSequential(): Promise<number> {
  const app = createBenchApp();
  let sent = 0;
  const conn = app.connect(BENCH_WINDOW, { send: (_frame, written) => (sent++, written()), close: () => {} });
  const t0 = performance.now();
  for (let i = 1; i <= CALLS; i++) {
    conn.receive(invoke(i));
    await nextTurn();
  }
  const ns = ((performance.now() - t0) * 1e6) / CALLS;
  if (sent !== CALLS) throw new Error(`expected ${CALLS} replies, got ${sent}`);
  conn.dropped();
  return ns;
}

/**
 * Backend, one call per turn, timed from the frame handed to `receive` to the reply handed
 * to the socket: the backend's share of a round trip's critical path (what runs after the
 * send, such as the write callback, is not in it). ns per call.
 */
async function backendFrameToReply(): Promise<number> {
  const app = createBenchApp();
  let sentAt = 0;
  let sent: () => void = () => {};
  const conn = app.connect(BENCH_WINDOW, {
    send: (_frame, written) => {
      sentAt = performance.now();
      written();
      sent();
    },
    close: () => {},
  });
  let total = 0;
  for (let i = 1; i <= CALLS; i++) {
    // A flat string, as a socket's bytes decode to (a template literal would be a rope).
    const frame = Buffer.from(invoke(i)).toString("utf8");
    await nextTurn();
    const replied = new Promise<void>((resolve) => (sent = resolve));
    const t0 = performance.now();
    conn.receive(frame);
    await replied;
    total += sentAt - t0;
  }
  conn.dropped();
  return (total * 1e6) / CALLS;
}

/** Backend, 256 frames per turn (the pipelined shape): ns per call. */
async function backendPipelined(): Promise<number> {
  const app = createBenchApp();
  const conn = app.connect(BENCH_WINDOW, { send: (_frame, written) => written(), close: () => {} });
  const t0 = performance.now();
  for (let i = 1; i <= CALLS; i += 256) {
    for (let j = i; j < i + 256 && j <= CALLS; j++) conn.receive(invoke(j));
    await nextTurn();
  }
  const ns = ((performance.now() - t0) * 1e6) / CALLS;
  conn.dropped();
  return ns;
}

/** A transport that answers every invoke in the next microtask, as a result frame. */
function echoTransport(): ClientTransport {
  let sink: TransportSink | undefined;
  const answer = (frame: string) => {
    for (const m of frame.matchAll(/"id":(\d+)/g)) sink!.message(`{"t":"r","id":${m[1]},"v":"Hello, Ada!"}`);
  };
  return {
    start: (s) => void (sink = s),
    send: (frame) => void Promise.resolve(frame as string).then(answer),
    close: () => {},
  };
}

/** Client, sequential awaits: ns per call. */
async function clientSequential(): Promise<number> {
  const client = createClient(echoTransport());
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) await client.invoke("greet", { name: "Ada" });
  const ns = ((performance.now() - t0) * 1e6) / CALLS;
  client.close();
  return ns;
}

const cases = {
  "backend, sequential": backendSequential,
  "backend, frame in to reply out (sequential)": backendFrameToReply,
  "backend, pipelined": backendPipelined,
  "client, sequential": clientSequential,
};
const best = new Map<string, number>();
for (let t = 0; t < TRIALS; t++) {
  for (const [name, run] of Object.entries(cases)) {
    const ns = await run();
    best.set(name, Math.min(best.get(name) ?? Infinity, ns));
  }
}
console.log("| ferry's own work per call (no socket) | µs, best of " + TRIALS + " |\n|---|---:|");
for (const [name, ns] of best) console.log(`| ${name} | ${(ns / 1000).toFixed(2)} |`);

/** Bytes allocated per call while `run` makes CALLS calls (after one unsampled run). */
async function bytesPerCall(session: Session, run: () => Promise<number>): Promise<number> {
  await run();
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 64,
    includeObjectsCollectedByMinorGC: true,
    includeObjectsCollectedByMajorGC: true,
  });
  await run();
  const { profile } = await session.post("HeapProfiler.stopSampling");
  let total = 0;
  const visit = (node: { selfSize: number; children?: unknown[] }): void => {
    total += node.selfSize;
    for (const child of node.children ?? []) visit(child as typeof node);
  };
  visit(profile.head as unknown as { selfSize: number; children?: unknown[] });
  return total / CALLS;
}

const session = new Session();
session.connect();
await session.post("HeapProfiler.enable");
const driver = await bytesPerCall(session, driverOnly);
console.log("\n| bytes allocated per call (sampled; the sequential driver's own share taken out) | bytes |\n|---|---:|");
for (const [name, run] of Object.entries(cases)) {
  if (run === backendFrameToReply) continue; // its driver's own allocations are most of it
  const bytes = await bytesPerCall(session, run);
  console.log(`| ${name} | ${Math.round(name === "backend, sequential" ? bytes - driver : bytes)} |`);
}
session.disconnect();
