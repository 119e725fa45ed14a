/**
 * Server children: spawning the compiled `bench/server.ts` for a contender (plain `node`, no
 * loader; see bench/launch.mjs) and talking to it over IPC.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { compiledScript } from "./compiled.ts";
import { placed } from "./placement.ts";
import type { ServerInfo, ContenderName } from "./contenders/types.ts";
import type { ServerReply, ServerRequest } from "./server.ts";

/** A running server child. */
export interface ServerChild {
  readonly name: ContenderName;
  readonly info: ServerInfo;
  readonly process: ChildProcess;
  /** Emits `count` events named `event`, `burst` per event-loop turn; resolves when all are sent. */
  emit(event: string, count: number, burst: number): Promise<void>;
  /** The child's heap after full collections, in bytes. */
  heap(): Promise<number>;
  /** CPU time (user + system) the child has used so far, in µs. */
  cpu(): Promise<number>;
  /** Starts the child's CPU profiler. */
  profileStart(): Promise<void>;
  /** Stops it; resolves with the `.cpuprofile` object. */
  profileStop(): Promise<unknown>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Extra page origins ferry must accept. */
  origins?: string[];
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
}

/** Rejects after `ms` with a message naming `what`: every wait in the bench is bounded. */
export function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: ${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Starts the compiled `bench/server.ts <name>` and waits for it to be ready. */
export async function spawnServer(name: ContenderName, options: SpawnOptions = {}): Promise<ServerChild> {
  const child = spawn(
    ...placed("server", process.execPath, ["--expose-gc", ...(options.nodeFlags ?? []), compiledScript("server"), name]),
    {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, BENCH_ORIGINS: JSON.stringify(options.origins ?? []) },
    },
  );
  const waiting = new Map<number, (r: Extract<ServerReply, { op: "done" }>) => void>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const info = await bounded(
    new Promise<ServerInfo>((resolve, reject) => {
      child.on("message", (m: ServerReply) => {
        if (m.op === "ready") resolve(m.info);
        else waiting.get(m.id)?.(m);
      });
      child.once("exit", (code) => reject(new Error(`bench server ${name} exited with ${code}`)));
    }),
    30_000,
    `starting the ${name} server`,
  );
  const request = async (req: Omit<ServerRequest, "id"> & { op: ServerRequest["op"] }, ms: number) => {
    const id = nextId++;
    const reply = await bounded(
      new Promise<Extract<ServerReply, { op: "done" }>>((resolve) => {
        waiting.set(id, resolve);
        child.send({ ...req, id });
      }),
      ms,
      `${name} server ${req.op}`,
    );
    waiting.delete(id);
    if (reply.error) throw new Error(`${name} server ${req.op}: ${reply.error}`);
    return reply;
  };
  return {
    name,
    info,
    process: child,
    emit: async (event, count, burst) => {
      await request({ op: "emit", event, count, burst } as ServerRequest, 60_000);
    },
    heap: async () => (await request({ op: "heap" }, 30_000)).heap!,
    cpu: async () => (await request({ op: "cpu" }, 30_000)).cpu!,
    profileStart: async () => {
      await request({ op: "profile-start" }, 30_000);
    },
    profileStop: async () => (await request({ op: "profile-stop" }, 60_000)).profile,
    async stop() {
      if (child.exitCode === null) child.disconnect();
      await bounded(exited, 10_000, `stopping the ${name} server`).catch(() => child.kill("SIGKILL"));
    },
  };
}
