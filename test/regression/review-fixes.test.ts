/**
 * Fixes from a review of the core, each shown over the real wire format:
 * did-you-mean budget and batch cap (an unauthorised page could stall the event loop),
 * nothing dispatched after a mid-batch close, bytes in error data, a throwing `then`,
 * `__proto__` in renamed args, duplicate call ids, page channels ending with their
 * connection, and throwing page listeners not crashing a Node client.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { allowAll, createApp, FerryError, type App } from "ferry";
import { connectMemory } from "ferry/transports/memory";
import { Channel, createClient } from "ferry/client";
import { rejection, until } from "../support/wait.ts";

/** A raw page on the memory transport: send frames, read decoded messages. */
function rawPage(app: App<any>, label = "main") {
  const messages: Record<string, unknown>[] = [];
  const closes: number[] = [];
  const t = connectMemory(app, label);
  t.start({
    message: (d) => {
      if (typeof d !== "string") return;
      const parsed = JSON.parse(d) as unknown;
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) messages.push(m as Record<string, unknown>);
    },
    close: (code) => closes.push(code),
  });
  return { send: (text: string) => t.send(text), messages, closes };
}

test("unknown commands stop getting suggestions after a few; oversized batches are refused", async () => {
  const app = createApp({ authorize: allowAll, commands: { greet: () => "hi" } });
  const page = rawPage(app);
  const calls = Array.from({ length: 40 }, (_, i) => ({ t: "i", id: i + 1, cmd: "gret" }));
  page.send(JSON.stringify(calls));
  await until(() => page.messages.length === 40, "40 replies");
  const suggested = page.messages.filter((m) => (m.e as { data?: { suggestion?: string } }).data?.suggestion === "greet");
  assert.equal(suggested.length, 32);
  assert.ok(page.messages.every((m) => (m.e as { kind: string }).kind === "command_not_found"));

  const huge = Array.from({ length: 5000 }, (_, i) => ({ t: "i", id: 1000 + i, cmd: "greet" }));
  page.send(JSON.stringify(huge));
  await until(() => page.messages.length === 41, "the refusal");
  assert.equal(page.messages[40]!.t, "x");
  assert.match((page.messages[40]!.e as { message: string }).message, /at most 4096 messages/);
});

test("after a protocol flood closes the connection mid-batch, nothing later in the batch runs", async () => {
  let ran = 0;
  const app = createApp({ authorize: allowAll, commands: { count: () => ++ran } });
  const page = rawPage(app);
  const batch = [
    ...Array.from({ length: 40 }, () => ({ t: "bogus" })),
    { t: "i", id: 1, cmd: "count" },
    { t: "i", id: 2, cmd: "plugin:event|listen", a: { event: "x", handler: 1 } },
  ];
  page.send(JSON.stringify(batch));
  await until(() => page.closes.length === 1, "the close");
  assert.equal(page.closes[0], 1002);
  assert.equal(ran, 0);
  assert.equal(app.listenerCount(), 0);
});

test("a duplicate call id is a protocol error that leaves the call in flight to settle", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const app = createApp({ authorize: allowAll, commands: { slow: async () => (await gate, "done") } });
  const page = rawPage(app);
  page.send(JSON.stringify({ t: "i", id: 7, cmd: "slow" }));
  page.send(JSON.stringify({ t: "i", id: 7, cmd: "slow" }));
  await until(() => page.messages.length === 1, "the protocol error");
  assert.equal(page.messages[0]!.t, "x");
  release();
  await until(() => page.messages.length === 2, "the result");
  assert.deepEqual(page.messages[1], { t: "r", id: 7, v: "done" });
});

test("bytes in an app error's data arrive as bytes; a throwing then is an internal error, not a stuck id", async () => {
  const app = createApp({
    authorize: allowAll,
    log: () => {},
    commands: {
      bad_blob: () => {
        throw new FerryError("bad_blob", "checksum mismatch", { blob: new Uint8Array([1, 2]) });
      },
      odd: () => ({
        then() {
          throw new Error("then exploded");
        },
      }),
      ok: () => 1,
    },
  });
  const client = createClient(connectMemory(app, "main"));
  const err = await rejection(client.invoke("bad_blob"));
  assert.equal(err.kind, "bad_blob");
  const blob = (err.data as { blob: Uint8Array }).blob;
  assert.ok(blob instanceof Uint8Array);
  assert.deepEqual([...blob], [1, 2]);
  assert.equal((await rejection(client.invoke("odd"))).kind, "internal");
  assert.equal(await client.invoke("ok"), 1);
  client.close();
});

test("renamed args never let __proto__ set the prototype", async () => {
  const app = createApp({
    authorize: allowAll,
    commands: {
      inspect: {
        rename: "camelCase",
        handler: (args: Record<string, unknown>) => ({
          proto: Object.getPrototypeOf(args) === Object.prototype,
          isAdmin: "isAdmin" in args,
        }),
      },
    },
  });
  const page = rawPage(app);
  page.send('{"t":"i","id":1,"cmd":"inspect","a":{"__proto__":{"isAdmin":true},"fileName":"x"}}');
  await until(() => page.messages.length === 1, "the reply");
  assert.deepEqual(page.messages[0], { t: "r", id: 1, v: { proto: true, isAdmin: false } });
});

test("a page channel ends when its connection ends; a throwing listener does not crash a Node client", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const app = createApp({
    authorize: allowAll,
    commands: {
      hold: async () => {
        await gate;
        return null;
      },
      ping: (_a, { app: a }) => a.emit("boom", 1),
    },
  });
  const client = createClient(connectMemory(app, "main"));
  let calls = 0;
  await client.listen("boom", () => {
    calls++;
    throw new Error("a listener bug");
  });
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void errors.push(args);
  try {
    await client.invoke("ping");
    await until(() => calls === 1 && errors.length === 1, "the listener to run and its error to be reported");
  } finally {
    console.error = original;
  }
  let closed = false;
  const channel = new Channel<number>();
  channel.onclose = () => (closed = true);
  const call = client.invoke("hold", { channel });
  client.close();
  assert.equal((await rejection(call)).kind, "connection_closed");
  assert.equal(closed, true);
  release();
});
