/**
 * `node bench/launch.mjs cost [rounds]`: CPU time per call, server and client, for raw ws and
 * ferry, sequential and pipelined, and per event delivered to one connection (the backend
 * emitting 64 per turn of its event loop, as the bench's events rows do), interleaved over rounds. CPU time moves less than wall
 * time when other work shares the machine, so this is how core changes are judged
 * (docs/profile.md); medians over rounds.
 */

import { spawnServer, type ServerChild } from "./children.ts";
import { CONTENDERS } from "./contenders/index.ts";
import type { BenchClient, ContenderName } from "./contenders/types.ts";
import { percentile } from "./stats.ts";
import { pipelineRate } from "./workloads.ts";

const rounds = Number(process.argv[2] ?? 5);
const SEQUENTIAL = 10_000;
const PIPELINED = 40_000;
const EVENTS = 200_000;
const EVENT_BURST = 64;
const names: ContenderName[] = ["raw", "ferry"];

interface Cost {
  wall: number;
  server: number;
  client: number;
}

async function measure(server: ServerChild, calls: number, work: () => Promise<unknown>): Promise<Cost> {
  const s0 = await server.cpu();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const wall = ((performance.now() - t0) * 1000) / calls;
  const c = process.cpuUsage(c0);
  const s1 = await server.cpu();
  return { wall, server: (s1 - s0) / calls, client: (c.user + c.system) / calls };
}

const sequential = (client: BenchClient) => async () => {
  for (let i = 0; i < SEQUENTIAL; i++) await client.greet("Ada");
};
const pipelined = (client: BenchClient) => () => pipelineRate(() => client.greet("Ada"), PIPELINED, 256);

/** Resolves when the client has heard `EVENTS` ticks since the last `awaitTicks()`. */
let awaitTicks = (): Promise<void> => Promise.resolve();
const ticks = (server: ServerChild) => async () => {
  const heard = awaitTicks();
  await server.emit("tick", EVENTS, EVENT_BURST);
  await heard;
};

const servers = new Map<ContenderName, ServerChild>();
const clients = new Map<ContenderName, BenchClient>();
let heard = 0;
let allHeard = () => {};
for (const name of names) {
  const server = await spawnServer(name);
  servers.set(name, server);
  const client = await CONTENDERS[name].connect(server.info);
  clients.set(name, client);
  await client.listen("tick", () => {
    if (++heard === EVENTS) allHeard();
  });
  await pipelined(client)();
  await sequential(client)();
}
awaitTicks = () => {
  heard = 0;
  return new Promise<void>((resolve) => (allHeard = resolve));
};
const results = new Map<string, Cost[]>();
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 ? [...names].reverse() : names) {
    const server = servers.get(name)!;
    const client = clients.get(name)!;
    for (const [mode, calls, work] of [
      ["sequential", SEQUENTIAL, sequential(client)],
      ["pipelined", PIPELINED, pipelined(client)],
      ["events to 1", EVENTS, ticks(server)],
    ] as const) {
      const key = `${name} ${mode}`;
      results.set(key, [...(results.get(key) ?? []), await measure(server, calls, work)]);
    }
  }
}
for (const c of clients.values()) c.close();
for (const s of servers.values()) await s.stop();

console.log(`| contender, mode | wall µs/call (event) | server CPU µs/call (event) | client CPU µs/call (event) |\n|---|---:|---:|---:|`);
const med = (list: Cost[], k: keyof Cost) =>
  percentile(
    list.map((c) => c[k]),
    50,
  ).toFixed(1);
for (const [key, list] of results) console.log(`| ${key} | ${med(list, "wall")} | ${med(list, "server")} | ${med(list, "client")} |`);
