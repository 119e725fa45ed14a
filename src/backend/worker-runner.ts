/**
 * The script every pool worker runs (see workers.ts): it imports the pool's module and
 * answers one job at a time. Plain JavaScript once compiled, so a worker needs no loader.
 */

import { parentPort, workerData } from "node:worker_threads";

/** A job from the pool: which export to call with which args. */
interface Job {
  id: number;
  name: string;
  args: unknown;
}

const port = parentPort;
if (!port) throw new Error("ferry's worker runner runs inside a worker pool (workerPool from ferry)");

const exports = (await import(String((workerData as { module: string }).module))) as Record<string, unknown>;

/** What a throw becomes across the thread: kind, message and data survive, the stack stays here. */
function errorOf(err: unknown): { kind?: string; message: string; data?: unknown } {
  if (typeof err === "object" && err !== null) {
    const { kind, message, data } = err as { kind?: unknown; message?: unknown; data?: unknown };
    return {
      ...(typeof kind === "string" ? { kind } : {}),
      message: typeof message === "string" ? message : String(err),
      ...(typeof kind === "string" && data !== undefined ? { data } : {}),
    };
  }
  return { message: String(err) };
}

port.on("message", (job: Job) => {
  const fn = Object.hasOwn(exports, job.name) ? exports[job.name] : undefined;
  if (typeof fn !== "function") {
    port.postMessage({
      id: job.id,
      ok: false,
      error: { kind: "internal", message: `the worker module exports no function "${job.name}"` },
    });
    return;
  }
  Promise.resolve()
    .then(() => (fn as (args: unknown) => unknown)(job.args))
    .then(
      (value) => {
        try {
          port.postMessage({ id: job.id, ok: true, value });
        } catch (err) {
          port.postMessage({ id: job.id, ok: false, error: { kind: "not_serializable", message: errorOf(err).message } });
        }
      },
      (err) => port.postMessage({ id: job.id, ok: false, error: errorOf(err) }),
    );
});
port.postMessage({ ready: true });
