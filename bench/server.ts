/**
 * The server child: serves one contender and obeys the orchestrator over Node IPC.
 *
 *   node --expose-gc <compiled server.mjs> <raw|birpc|trpc|ferry>
 *
 * bench/launch.mjs compiles it (plain `node`, no loader; packages, ferry's `dist/` included,
 * load as Node resolves them). Only the named contender's module is loaded, so its cold
 * start carries nothing else.
 * Requests (`{ id, op, ... }`) get `{ id, ... }` back:
 * - `emit {event, count, burst}`: emits `count` events, `burst` per turn of the event loop;
 * - `heap`: heap used after full collections, in bytes;
 * - `cpu`: CPU time (user + system) used so far, in microseconds;
 * - `profile-start` / `profile-stop`: the V8 CPU profiler over the inspector (so a profile
 *   covers only what runs between the two, not start-up); stop answers with the profile.
 */

import { Session } from "node:inspector/promises";
import { setImmediate as nextTurn } from "node:timers/promises";
import { CONTENDER_NAMES, type BenchServer, type Contender, type ContenderName } from "./contenders/types.ts";

/** What the orchestrator may ask of a server child. */
export type ServerRequest =
  | { id: number; op: "emit"; event: string; count: number; burst: number }
  | { id: number; op: "heap" }
  | { id: number; op: "cpu" }
  | { id: number; op: "profile-start" | "profile-stop" };

/** A server child's messages: one `ready` with how to connect, then answers by id. */
export type ServerReply =
  { op: "ready"; info: BenchServer["info"] } | { op: "done"; id: number; heap?: number; cpu?: number; profile?: unknown; error?: string };

const name = process.argv[2] as ContenderName;
if (!CONTENDER_NAMES.includes(name) || !process.send) {
  console.error(`usage (as a child with IPC): bench/server.ts <${CONTENDER_NAMES.join("|")}>`);
  process.exit(2);
}
const send = (m: ServerReply) => process.send!(m);

const mod = (await import(`./contenders/${name}.ts`)) as Record<string, Contender>;
const contender = mod[name]!;
const origins = JSON.parse(process.env.BENCH_ORIGINS ?? "[]") as string[];
const server = await contender.startServer({ origins });

async function heapUsed(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run the server child with --expose-gc");
  for (let i = 0; i < 3; i++) {
    await nextTurn();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

async function emit(event: string, count: number, burst: number): Promise<void> {
  let seq = 0;
  while (seq < count) {
    const end = Math.min(count, seq + burst);
    for (; seq < end; seq++) server.emit(event, { seq, value: 42 });
    await nextTurn();
  }
}

let profiler: Session | undefined;

async function startProfile(): Promise<void> {
  profiler = new Session();
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.setSamplingInterval", { interval: 50 });
  await profiler.post("Profiler.start");
}

async function stopProfile(): Promise<unknown> {
  if (!profiler) throw new Error("profile-stop without profile-start");
  const { profile } = await profiler.post("Profiler.stop");
  profiler.disconnect();
  profiler = undefined;
  return profile;
}

function handle(req: ServerRequest): Promise<{ heap?: number; cpu?: number; profile?: unknown }> {
  switch (req.op) {
    case "emit":
      return emit(req.event, req.count, req.burst).then(() => ({}));
    case "heap":
      return heapUsed().then((heap) => ({ heap }));
    case "cpu": {
      const { user, system } = process.cpuUsage();
      return Promise.resolve({ cpu: user + system });
    }
    case "profile-start":
      return startProfile().then(() => ({}));
    case "profile-stop":
      return stopProfile().then((profile) => ({ profile }));
  }
}

process.on("message", (req: ServerRequest) => {
  const work = handle(req);
  work.then(
    (extra) => send({ op: "done", id: req.id, ...extra }),
    (err: Error) => send({ op: "done", id: req.id, error: err.message }),
  );
});
process.on("disconnect", () => {
  void server.close().finally(() => process.exit(0));
});
send({ op: "ready", info: server.info });
