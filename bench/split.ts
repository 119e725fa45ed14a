/**
 * `node bench/launch.mjs split [rounds]`: splits the invoke round trip's gap to raw `ws` into
 * its parts, with a third server and client that do the least a JSON RPC over ws can do.
 *
 * - raw: the bench's raw `ws` echo, its client (the floor the target is set against);
 * - wire: a `ws` server that parses each frame and answers it with ferry's reply message,
 *   built by hand (no access check, no context, no queue), and a client that sends ferry's
 *   invoke message by hand and matches replies by id;
 * - ferry: the package, both sides.
 *
 * Interleaved call by call, the order reversed every other turn (each process sees the same
 * moments of the machine), in two sets: {raw↔raw, wire↔wire, wire client↔ferry backend} and
 * {wire↔wire, ferry client↔wire server}. Per round the p50 of each pair; then the median over
 * rounds. What the differences mean:
 * - wire↔wire − raw↔raw: parsing and answering JSON at all, which any RPC pays;
 * - wire client↔ferry backend − wire↔wire: ferry's backend beyond that;
 * - ferry client↔wire server − wire↔wire: ferry's client beyond that.
 */

import { spawn } from "node:child_process";
import { once } from "node:events";
import { loadavg } from "node:os";
import WebSocket, { WebSocketServer } from "ws";
import { tokenProtocols } from "ferry/transports/ws";
import { spawnServer } from "./children.ts";
import { placed } from "./placement.ts";
import { CONTENDERS } from "./contenders/index.ts";
import { percentile } from "./stats.ts";
import { interleavedRoundTrips } from "./workloads.ts";

const CALLS = 10_000;
const WARM = 1_000;

/** The wire server, as a child process: prints its URL, then answers invoke frames. */
async function serveWire(): Promise<void> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  await once(wss, "listening");
  wss.on("connection", (ws) =>
    ws.on("message", (data) => {
      const m = JSON.parse((data as Buffer).toString("utf8")) as { id: number; a: { name: string } };
      ws.send(`{"t":"r","id":${m.id},"v":${JSON.stringify(`Hello, ${m.a.name}!`)}}`);
    }),
  );
  console.log(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
}

if (process.argv[2] === "serve") {
  await serveWire();
} else {
  const rounds = Number(process.argv[2] ?? 5);
  // This compiled script again (bench/launch.mjs runs it from its temporary folder).
  const wireChild = spawn(...placed("server", process.execPath, [process.argv[1]!, "serve"]), { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(wireChild.stdout!, "data")) as [Buffer];
  const wireUrl = line.toString().trim();
  const raw = await spawnServer("raw");
  const ferry = await spawnServer("ferry");

  /** The wire client: ferry's invoke message by hand, replies matched by id. */
  const wireClient = async (url: string, token = "none", origin?: string) => {
    const ws = new WebSocket(url, tokenProtocols(token), { perMessageDeflate: false, origin });
    await once(ws, "open");
    const pending = new Map<number, (v: unknown) => void>();
    let nextId = 1;
    ws.on("message", (d: Buffer) => {
      const m = JSON.parse(d.toString("utf8")) as { id: number; v: unknown };
      const resolve = pending.get(m.id);
      pending.delete(m.id);
      resolve?.(m.v);
    });
    return (name: string) =>
      new Promise<unknown>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        ws.send(`{"t":"i","id":${id},"cmd":"greet","a":${JSON.stringify({ name })}}`);
      });
  };
  const rawClient = await CONTENDERS.raw.connect(raw.info);
  const ferryClient = await CONTENDERS.ferry.connect(ferry.info);
  const ferryOnWire = await CONTENDERS.ferry.connect({ url: wireUrl, token: "none", origin: "http://127.0.0.1" });
  const pairs: Record<string, (name: string) => Promise<unknown>> = {
    "raw↔raw": (n) => rawClient.greet(n),
    "wire↔wire": await wireClient(wireUrl),
    "wire client↔ferry backend": await wireClient(ferry.info.url, ferry.info.token, ferry.info.origin),
    "ferry client↔wire server": (n) => ferryOnWire.greet(n),
    "ferry↔ferry": (n) => ferryClient.greet(n),
  };
  const sets = [
    ["raw↔raw", "wire↔wire", "wire client↔ferry backend"],
    ["wire↔wire", "ferry client↔wire server"],
    ["raw↔raw", "ferry↔ferry"],
  ];
  const perRound = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const [s, set] of sets.entries()) {
      const samples = await interleavedRoundTrips(
        set.map((name) => pairs[name]!),
        WARM,
        CALLS,
      );
      set.forEach((name, k) => {
        const key = `${s + 1}. ${name}`;
        perRound.set(key, [...(perRound.get(key) ?? []), percentile(samples[k]!, 50)]);
      });
    }
    process.stderr.write(`round ${r + 1}/${rounds} done, load ${loadavg()[0]!.toFixed(2)}\n`);
  }
  const med = (key: string) => percentile(perRound.get(key)!, 50);
  const range = (key: string) => `${Math.min(...perRound.get(key)!).toFixed(1)}–${Math.max(...perRound.get(key)!).toFixed(1)}`;
  console.log(`| set. pair | p50 µs, median of ${rounds} rounds | per-round range |\n|---|---:|---|`);
  for (const key of perRound.keys()) console.log(`| ${key} | ${med(key).toFixed(1)} | ${range(key)} |`);
  const d = (a: string, b: string) => (med(a) - med(b)).toFixed(1);
  console.log(
    `\nJSON at all (wire↔wire − raw↔raw): ${d("1. wire↔wire", "1. raw↔raw")} µs; ` +
      `ferry's backend beyond it: ${d("1. wire client↔ferry backend", "1. wire↔wire")} µs; ` +
      `ferry's client beyond it: ${d("2. ferry client↔wire server", "2. wire↔wire")} µs; ` +
      `ferry↔ferry − raw↔raw: ${d("3. ferry↔ferry", "3. raw↔raw")} µs (${(med("3. ferry↔ferry") / med("3. raw↔raw")).toFixed(3)}×)`,
  );
  rawClient.close();
  ferryClient.close();
  ferryOnWire.close();
  await raw.stop();
  await ferry.stop();
  wireChild.kill();
  process.exit(0);
}
