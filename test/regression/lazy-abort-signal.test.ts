/**
 * A call's AbortController is made only when its handler reads `ctx.signal` (a measured
 * per-call saving, docs/profile.md). These pin what must not change with it: a signal read
 * after the page cancelled is already aborted with the cancel reason, a signal read early
 * fires on cancel and on disconnect, and `{ ...ctx }` keeps a live signal.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { allowAll, createApp, FerryError, type CommandContext } from "ferry";
import { connectMemory } from "ferry/transports/memory";
import { createClient } from "ferry/client";

/** A promise and its resolver, so tests wait on events rather than time. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test("a signal first read after the page cancelled is already aborted, with the cancel reason", async () => {
  const started = deferred();
  const release = deferred();
  const seen = deferred<AbortSignal>();
  const app = createApp({
    authorize: allowAll,
    commands: {
      async slow(_args: unknown, ctx: CommandContext) {
        started.resolve();
        await release.promise;
        seen.resolve(ctx.signal);
        return null;
      },
    },
  });
  const client = createClient(connectMemory(app, "main"));
  const controller = new AbortController();
  const call = client.invoke("slow", {}, { signal: controller.signal });
  await started.promise;
  controller.abort();
  await assert.rejects(call, (e: unknown) => e instanceof FerryError && e.kind === "cancelled");
  // The cancel frame reaches the backend before the handler goes on.
  await client.invoke("plugin:event|unlisten", { event: "x", eventId: 1 });
  release.resolve();
  const signal = await seen.promise;
  assert.equal(signal.aborted, true);
  assert.ok(signal.reason instanceof FerryError && signal.reason.kind === "cancelled");
  client.close();
});

test("a signal read early fires on disconnect, and a spread context carries it", async () => {
  const fired = deferred<unknown>();
  const app = createApp({
    authorize: allowAll,
    commands: {
      wait(_args: unknown, ctx: CommandContext) {
        const copy = { ...ctx };
        copy.signal.addEventListener("abort", () => fired.resolve(copy.signal.reason), { once: true });
        return new Promise(() => {});
      },
    },
  });
  const client = createClient(connectMemory(app, "main"));
  const call = client.invoke("wait", {}).catch((e: unknown) => e);
  await client.invoke("plugin:event|unlisten", { event: "x", eventId: 1 });
  client.close();
  const reason = await fired.promise;
  assert.ok(reason instanceof FerryError && reason.kind === "cancelled");
  assert.ok((await call) instanceof FerryError);
});

test("a client timeout rejects with `timeout` and fires the handler's signal", async () => {
  const fired = deferred();
  const app = createApp({
    authorize: allowAll,
    commands: {
      hang(_args: unknown, ctx: CommandContext) {
        ctx.signal.addEventListener("abort", () => fired.resolve(), { once: true });
        return new Promise(() => {});
      },
    },
  });
  const client = createClient(connectMemory(app, "main"));
  await assert.rejects(client.invoke("hang", {}, { timeout: 20 }), (e: unknown) => e instanceof FerryError && e.kind === "timeout");
  await fired.promise;
  // A settled call leaves nothing armed: a later plain call still answers.
  assert.equal(await client.invoke("plugin:event|unlisten", { event: "x", eventId: 1 }), null);
  client.close();
});
