/**
 * The drain signal transports give the core: a connection whose socket holds more than the
 * app's `maxBufferedBytes` is not writable until the socket drains, and `whenWritable()`
 * waits for that (or rejects when the window goes away). The bounded-memory policy builds
 * on it. Over both transports; over ws also with a page that stops reading.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Duplex } from "node:stream";
import WebSocket from "ws";
import { allowAll, createApp, definePlugin, FerryError, type PluginContext } from "ferry";
import { serveWs } from "ferry/transports/ws";
import { harnesses } from "./support/transports.ts";
import { until } from "./support/wait.ts";

const BOUND = 64 * 1024;
const CHUNK = "x".repeat(16 * 1024);

/**
 * A plugin whose `flood` emits to its caller until it has sent at least `atLeast` bytes and
 * the connection reports itself full, then waits for it to drain. Against a paused socket,
 * `atLeast` is past what the kernel's socket buffers can take, so what is left stays in the
 * backend until the page reads.
 */
function floodPlugin(seen: { full: boolean; drained: boolean; sent: number; error?: unknown }, atLeast = 0) {
  return definePlugin({
    name: "probe",
    commands: {
      async flood(_args: unknown, ctx: PluginContext) {
        for (let i = 0; i < 10_000 && (ctx.connection.writable || seen.sent * CHUNK.length < atLeast); i++) {
          // Eight chunks a turn: twice the bound, flushed to the transport together.
          for (let j = 0; j < 8; j++) ctx.app.emitTo(ctx.window, "chunk", CHUNK);
          seen.sent += 8;
          await new Promise((r) => setImmediate(r));
        }
        seen.full = !ctx.connection.writable;
        try {
          await ctx.connection.whenWritable();
          seen.drained = ctx.connection.writable;
        } catch (err) {
          seen.error = err;
        }
        return seen.sent;
      },
    },
  });
}

/** Past loopback's socket buffers (a few MiB each way). */
const PAST_KERNEL = 48 * 1024 * 1024;

// Over ws on loopback a burst is written out before the handler looks again; the paused-page
// tests below show the ws transport's signal.
for (const harness of harnesses.filter((h) => h.name === "memory")) {
  describe(`drain signal (${harness.name})`, () => {
    test("over the bound the connection is not writable; it drains once the page has read", async () => {
      const seen = { full: false, drained: false, sent: 0 };
      const app = createApp({ authorize: allowAll, plugins: [floodPlugin(seen)], maxBufferedBytes: BOUND, log: () => {} });
      const s = await harness.start(app);
      const c = await s.connect("main");
      let received = 0;
      await c.listen("chunk", () => received++);
      const sent = await c.invoke<number>("plugin:probe|flood");
      assert.ok(seen.full, "the connection reported itself full");
      assert.ok(seen.drained, "and writable again after draining");
      assert.ok(sent * CHUNK.length > BOUND, `it took more than the bound to fill (${sent} chunks)`);
      await until(() => received === sent, "every chunk delivered");
      await s.stop();
    });
  });
}

/** A raw page on ws that listens to "chunk", stops reading its socket, then calls flood. */
async function pausedPage() {
  const seen: { full: boolean; drained: boolean; sent: number; error?: unknown } = { full: false, drained: false, sent: 0 };
  const app = createApp({ authorize: allowAll, plugins: [floodPlugin(seen, PAST_KERNEL)], maxBufferedBytes: BOUND, log: () => {} });
  const server = await serveWs(app, { windows: [], log: () => {} });
  const { token } = server.window("main");
  const ws = new WebSocket(server.wsUrl, ["ferry.v1", `ferry.token.${token}`], { origin: server.origin });
  await new Promise((r, j) => ws.once("open", r).once("error", j));
  const socket = (ws as unknown as { _socket: Duplex })._socket;
  ws.send(JSON.stringify({ t: "i", id: 1, cmd: "plugin:event|listen", a: { event: "chunk", handler: 1 } }));
  socket.pause(); // the page stops reading: the kernel's buffers fill, then the backend's
  ws.send(JSON.stringify({ t: "i", id: 2, cmd: "plugin:probe|flood", a: {} }));
  await until(() => seen.full, "the backend saw the connection full", 20_000);
  return { seen, server, ws, socket };
}

test("ws: a page that stops reading leaves its connection not writable until it reads again", async () => {
  const { seen, server, ws, socket } = await pausedPage();
  assert.equal(seen.drained, false, "it stays full while the page does not read");
  socket.resume();
  await until(() => seen.drained, "writable again once the page reads", 20_000);
  ws.close();
  await server.close();
});

test("whenWritable rejects with connection_closed when the window goes away while full", async () => {
  const { seen, server, ws } = await pausedPage();
  ws.terminate();
  await until(() => seen.error !== undefined || seen.drained, "the waiter settled");
  assert.equal(seen.drained, false, "a socket that went away never drains");
  assert.ok(seen.error instanceof FerryError && seen.error.kind === "connection_closed", String(seen.error));
  await server.close();
});
