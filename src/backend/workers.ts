/**
 * The tutorial's second gotcha, blocking work on the event loop, answered: a pool of worker
 * threads for CPU-heavy commands. Commands live in a module the pool loads by path (a
 * closure cannot cross a thread); each worker runs one job at a time. A synchronous loop
 * never sees an `AbortSignal`, so cancelling a running call terminates its worker and
 * starts a fresh one in its place (docs/workers.md).
 */

import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { FerryError } from "../protocol/errors.ts";
import type { Command, CommandContext } from "./commands.ts";

/** Options of `workerPool`. */
export interface WorkerPoolOptions {
  /** Worker threads at most (started on demand). Default: `availableParallelism() - 1`, at least 1. */
  size?: number;
  /** Jobs waiting for a free worker at most; beyond it a call fails with `limit_exceeded`. Default 1024. */
  maxQueued?: number;
}

/** What a function of the worker module takes. */
type ArgsOf<F> = F extends (args: infer A) => unknown ? (unknown extends A ? Record<string, unknown> : A) : never;
/** What a function of the worker module answers. */
type ResultOf<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;
/** The names of the worker module's functions. */
type FunctionName<Module> = { [K in keyof Module]: Module[K] extends (...args: never[]) => unknown ? K : never }[keyof Module] & string;

/** A pool of worker threads running the functions a module exports. */
export interface WorkerPool<Module = Record<string, (args: any) => unknown>> {
  /**
   * A command that runs the module's function `name` in a worker with the call's args;
   * cancelling the call (or its window closing) terminates that worker and replaces it.
   */
  command<K extends FunctionName<Module>>(name: K): Command<ArgsOf<Module[K]>, any, ResultOf<Module[K]>>;
  /** Runs `name` in a worker; `signal` cancels it the same way. */
  run<K extends FunctionName<Module>>(name: K, args: ArgsOf<Module[K]>, signal?: AbortSignal): Promise<ResultOf<Module[K]>>;
  /** Workers running now (busy or idle). */
  readonly threads: number;
  /** Terminates every worker; waiting and running jobs fail with `cancelled`. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  name: string;
  args: unknown;
  signal: AbortSignal | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | undefined;
}

const RUNNER = new URL("./worker-runner.js", import.meta.url);

/**
 * A pool of worker threads for CPU-heavy commands. `module` is the path or URL of a
 * JavaScript module whose exported functions take the call's args and return its result
 * (or a promise of it); give its type to get typed commands.
 *
 * @example
 * // heavy.js: export function fib({ n }) { return n < 2 ? n : fib({ n: n - 1 }) + fib({ n: n - 2 }); }
 * const pool = workerPool<typeof import("./heavy.js")>(new URL("./heavy.js", import.meta.url));
 * const app = createApp({ commands: { fib: pool.command("fib") } });
 */
export function workerPool<Module = Record<string, (args: any) => unknown>>(
  module: string | URL,
  options: WorkerPoolOptions = {},
): WorkerPool<Module> {
  const href =
    module instanceof URL ? module.href : /^[a-z][a-z\d+.-]*:/i.test(module) ? module : new URL(module, `file://${process.cwd()}/`).href;
  const size = options.size ?? Math.max(1, availableParallelism() - 1);
  const maxQueued = options.maxQueued ?? 1024;
  for (const [name, value] of [
    ["size", size],
    ["maxQueued", maxQueued],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new TypeError(`workerPool: ${name} must be a positive integer, got ${String(value)}`);
  }
  const slots = new Set<Slot>();
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(RUNNER, { workerData: { module: href } }), ready: false, job: undefined };
    slots.add(slot);
    slot.worker.on(
      "message",
      (msg: { ready?: true; id?: number; ok?: boolean; value?: unknown; error?: { kind?: string; message: string; data?: unknown } }) => {
        if (msg.ready) {
          slot.ready = true;
          return pump();
        }
        const job = slot.job;
        if (!job || job.id !== msg.id) return;
        settle(slot, job);
        if (msg.ok) job.resolve(msg.value);
        else
          job.reject(msg.error?.kind ? new FerryError(msg.error.kind, msg.error.message, msg.error.data) : new Error(msg.error?.message));
        pump();
      },
    );
    // A module that fails to load, a throw outside a job, `process.exit` in the worker: its job fails, a new worker takes its place.
    const lost = (why: string) => {
      if (!slots.delete(slot)) return;
      const job = slot.job;
      if (job) {
        settle(slot, job);
        job.reject(new Error(`worker running "${job.name}" ${why}`));
      } else if (!slot.ready && queue.length > 0 && ![...slots].some((s) => s.ready)) {
        // It never came up (the module does not load): fail the waiting jobs rather than respawn forever.
        for (const waiting of queue.splice(0)) waiting.reject(new Error(`the worker module ${href} did not load: ${why}`));
      }
      pump();
    };
    slot.worker.on("error", (err) => lost(`failed: ${err instanceof Error ? err.message : String(err)}`));
    slot.worker.on("exit", (code) => lost(`exited with code ${code}`));
    return slot;
  };

  const settle = (slot: Slot, job: Job) => {
    slot.job = undefined;
    if (job.onAbort) job.signal?.removeEventListener("abort", job.onAbort);
  };

  /** Hands waiting jobs to free workers, starting workers up to `size`; idle workers keep no process alive. */
  const pump = () => {
    while (!closed && queue.length > 0) {
      let free: Slot | undefined;
      for (const s of slots) if (s.ready && !s.job) free = s;
      if (!free) {
        if (slots.size < size) spawn();
        break;
      }
      const job = queue.shift()!;
      free.job = job;
      free.worker.postMessage({ id: job.id, name: job.name, args: job.args });
    }
    for (const s of slots) {
      if (s.job || (queue.length > 0 && !s.ready)) s.worker.ref();
      else s.worker.unref();
    }
  };

  const cancel = (job: Job) => {
    const reason = job.signal?.reason instanceof FerryError ? job.signal.reason : new FerryError("cancelled", "the call was cancelled");
    const waiting = queue.indexOf(job);
    if (waiting >= 0) {
      queue.splice(waiting, 1);
      return job.reject(reason);
    }
    for (const slot of slots) {
      if (slot.job !== job) continue;
      // A synchronous loop never yields to see the signal: end the thread, start another.
      slots.delete(slot);
      settle(slot, job);
      void slot.worker.terminate();
      job.reject(reason);
      spawn();
      return pump();
    }
  };

  const run = (name: string, args: unknown, signal?: AbortSignal): Promise<never> =>
    new Promise((resolve, reject) => {
      if (closed) return reject(new FerryError("cancelled", "the worker pool is closed"));
      if (signal?.aborted)
        return reject(signal.reason instanceof FerryError ? signal.reason : new FerryError("cancelled", "the call was cancelled"));
      if (queue.length >= maxQueued) {
        return reject(
          new FerryError("limit_exceeded", `the worker pool has ${maxQueued} jobs waiting, the most it may`, {
            limit: "maxQueued",
            max: maxQueued,
          }),
        );
      }
      let args2: unknown = args;
      try {
        args2 = structuredClone(args); // a value a worker cannot receive fails here, not in the pool
      } catch (err) {
        return reject(
          new FerryError("invalid_args", `args for "${name}" cannot reach a worker: ${err instanceof Error ? err.message : String(err)}`),
        );
      }
      const job: Job = { id: nextId++, name, args: args2, signal, resolve: resolve as (v: unknown) => void, reject };
      if (signal) {
        job.onAbort = () => cancel(job);
        signal.addEventListener("abort", job.onAbort, { once: true });
      }
      queue.push(job);
      pump();
    });

  return {
    command: (name) => ({ handler: (args: unknown, ctx: CommandContext) => run(name, args, ctx.signal) }) as never,
    run: run as WorkerPool<Module>["run"],
    get threads() {
      return slots.size;
    },
    async close() {
      closed = true;
      const reason = new FerryError("cancelled", "the worker pool closed");
      for (const job of queue.splice(0)) job.reject(reason);
      const ending = [...slots];
      slots.clear();
      for (const slot of ending) {
        if (slot.job) {
          const job = slot.job;
          settle(slot, job);
          job.reject(reason);
        }
      }
      await Promise.all(ending.map((s) => s.worker.terminate()));
    },
  };
}
