/**
 * Flow control (docs/flow-control.md): every connection holds at most `maxBufferedBytes`
 * for its page. Events over it drop the oldest queued ones and the page reads how many
 * through `lagged`; channel sends wait (awaited) or fail (not awaited, one already waiting);
 * a window that goes away rejects waiting sends with `connection_closed`. Shown over both
 * transports and against a page that stops reading its socket.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Duplex } from "node:stream";
import WebSocket from "ws";
import { allowAll, createApp, definePlugin, FerryError, type Channel, type PluginContext } from "ferry";
import { Channel as PageChannel } from "ferry/client";
import { serveWs } from "ferry/transports/ws";
import { harnesses } from "./support/transports.ts";
import { rejection, until } from "./support/wait.ts";

const BOUND = 64 * 1024;
const CHUNK = "x".repeat(16 * 1024);

interface Seen {
  sent: number;
  full: boolean;
  drained: boolean;
  maxBuffered: number;
  error?: unknown;
}
const newSeen = (): Seen => ({ sent: 0, full: false, drained: false, maxBuffered: 0 });

/**
 * A plugin whose `flood` emits numbered 16 KiB events to its caller until it has sent at
 * least `atLeast` bytes and the connection reports itself full, noting the most the
 * connection ever held; then waits for it to be writable again. `stream` sends `n` numbered
 * messages on a channel, each awaited.
 */
function probePlugin(seen: Seen, atLeast = 0) {
  return definePlugin({
    name: "probe",
    commands: {
      async flood(_args: unknown, ctx: PluginContext) {
        for (let i = 0; i < 10_000 && (ctx.connection.writable || seen.sent * CHUNK.length < atLeast); i++) {
          for (let j = 0; j < 8; j++) {
            ctx.app.emitTo(ctx.window, "chunk", { i: seen.sent++, pad: CHUNK });
            seen.maxBuffered = Math.max(seen.maxBuffered, ctx.connection.buffered);
          }
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
      /** `n` numbered events to the caller, every third with bytes (a frame with a byte segment), then answers. */
      async mixed({ n }: { n: number }, ctx: PluginContext) {
        const bytes = new Uint8Array(512).fill(7);
        const pad = CHUNK.slice(0, 1024);
        for (let i = 0; i < n; i++) {
          ctx.app.emitTo(ctx.window, "chunk", i % 3 === 2 ? { i, bytes } : { i, pad });
          seen.sent++;
          seen.maxBuffered = Math.max(seen.maxBuffered, ctx.connection.buffered);
          if (i % 64 === 63) await new Promise((r) => setImmediate(r));
        }
        return n;
      },
      async stream({ ch, n }: { ch: Channel<{ i: number; pad: string }>; n: number }, ctx: PluginContext) {
        try {
          for (let i = 0; i < n; i++) {
            const sent = ch.send({ i, pad: CHUNK });
            // Not writable right after a send: this send waits for the page.
            if (!ctx.connection.writable) seen.full = true;
            await sent;
            seen.sent++;
            seen.maxBuffered = Math.max(seen.maxBuffered, ctx.connection.buffered);
          }
          ch.close();
        } catch (err) {
          seen.error = err;
        }
        return seen.sent;
      },
    },
  });
}

for (const harness of harnesses) {
  describe(`flow control (${harness.name})`, () => {
    // Over ws on loopback a page that reads keeps up with this flood; the paused-page tests below cover ws.
    test(
      "events over the bound drop the oldest; the page reads the count as lagged and gets the newest",
      { skip: harness.name !== "memory" },
      async () => {
        const seen = newSeen();
        const app = createApp({ authorize: allowAll, plugins: [probePlugin(seen)], maxBufferedBytes: BOUND, log: () => {} });
        const s = await harness.start(app);
        const c = await s.connect("main");
        let received = 0;
        let lagged = 0;
        let last = -1;
        let ordered = true;
        await c.listen<{ i: number }>("chunk", (e) => {
          received++;
          lagged += e.lagged ?? 0;
          if (e.payload.i <= last) ordered = false;
          last = e.payload.i;
        });
        const sent = await c.invoke<number>("plugin:probe|flood");
        await until(() => received + lagged === sent, "every event either delivered or counted as lagged");
        assert.ok(seen.full && seen.drained, "the connection reported itself full, then writable");
        assert.ok(lagged > 0, "some events were dropped");
        assert.ok(ordered, "what arrives keeps its order");
        assert.equal(last, sent - 1, "the newest event is never the one dropped");
        assert.ok(seen.maxBuffered <= BOUND, `held ${seen.maxBuffered} bytes, bound ${BOUND}`);
        await s.stop();
      },
    );

    test("awaited channel sends go at the page's pace, in order, within the bound", async () => {
      const seen = newSeen();
      const app = createApp({ authorize: allowAll, plugins: [probePlugin(seen)], maxBufferedBytes: BOUND, log: () => {} });
      const s = await harness.start(app);
      const c = await s.connect("main");
      const got: number[] = [];
      const ch = new PageChannel<{ i: number }>((m) => got.push(m.i));
      assert.equal(await c.invoke("plugin:probe|stream", { ch, n: 200 }), 200);
      await until(() => got.length === 200, "all 200 messages");
      assert.deepEqual(got, [...Array(200).keys()]);
      assert.ok(seen.maxBuffered <= BOUND, `held ${seen.maxBuffered} bytes, bound ${BOUND}`);
      await s.stop();
    });

    test("sends not awaited fail with limit_exceeded instead of piling up, and leave no gap", async () => {
      const warnings: string[] = [];
      let outcome: PromiseSettledResult<void>[] = [];
      const app = createApp({
        authorize: allowAll,
        maxBufferedBytes: BOUND,
        log: (e) => e.level === "warn" && warnings.push(e.message),
        commands: {
          async burst({ ch }: { ch: Channel<number | string> }) {
            const sends: Promise<void>[] = [];
            for (let i = 0; i < 40; i++) sends.push(ch.send(`${i}:${CHUNK}`));
            outcome = await Promise.allSettled(sends);
            await ch.send("last");
            ch.close();
          },
        },
      });
      const s = await harness.start(app);
      const c = await s.connect("main");
      const got: string[] = [];
      let closed = false;
      const ch = new PageChannel<string>((m) => got.push(m.split(":")[0]!));
      ch.onclose = () => (closed = true);
      await c.invoke("burst", { ch });
      await until(() => closed, "the channel closed after its last message");
      const accepted = outcome.flatMap((o, i) => (o.status === "fulfilled" ? [String(i)] : []));
      const refused = outcome.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason as FerryError);
      assert.ok(refused.length > 0 && accepted.length > 0, `${accepted.length} accepted, ${refused.length} refused`);
      for (const e of refused) assert.deepEqual([e.kind, e.data], ["limit_exceeded", { limit: "maxBufferedBytes", max: BOUND }]);
      assert.deepEqual(got, [...accepted, "last"], "the page got exactly the accepted sends, in order");
      assert.equal(warnings.filter((w) => w.includes("await channel.send")).length, 1, "one warning per channel");
      await s.stop();
    });

    test("a channel in use by a running call is refused for a second call; after it settles the stream goes on", async () => {
      let release: () => void = () => {};
      const app = createApp({
        authorize: allowAll,
        log: () => {},
        commands: {
          async hold({ ch }: { ch: Channel<string> }) {
            await ch.send("first");
            await new Promise<void>((r) => (release = r));
          },
          async more({ ch }: { ch: Channel<string> }) {
            await ch.send("second");
          },
        },
      });
      const s = await harness.start(app);
      const c = await s.connect("main");
      const got: string[] = [];
      const ch = new PageChannel<string>((m) => got.push(m));
      const held = c.invoke("hold", { ch });
      await until(() => got.length === 1, "the first call's message");
      const err = await rejection(c.invoke("more", { ch }));
      assert.equal(err.kind, "invalid_args");
      assert.deepEqual((err.data as { issues: { path: string }[] }).issues[0]!.path, "args.ch");
      release();
      await held;
      await c.invoke("more", { ch });
      await until(() => got.length === 2, "the second call's message");
      assert.deepEqual(got, ["first", "second"]);
      await s.stop();
    });

    test("page channels end when their connection ends", async () => {
      const app = createApp({ authorize: allowAll, log: () => {}, commands: { hold: () => new Promise(() => {}) } });
      const s = await harness.start(app);
      const c = await s.connect("main");
      let closed = 0;
      const ch = new PageChannel<string>();
      ch.onclose = () => closed++;
      void c.invoke("hold", { ch }).catch(() => {});
      await until(() => app.windows().length === 1, "connected");
      c.close();
      assert.equal(closed, 1, "the page's channel saw the connection end");
      ch.end();
      assert.equal(closed, 1, "and is already freed: ending it again does nothing");
      await s.stop();
    });

    test("channels held by running calls are limited; settled calls' channels make room", async () => {
      const releases: (() => void)[] = [];
      const app = createApp({
        authorize: allowAll,
        log: () => {},
        limits: { channels: 2 },
        commands: { hold: () => new Promise<void>((r) => releases.push(r)), quick: () => "ok" },
      });
      const s = await harness.start(app);
      const c = await s.connect("main");
      const held = [c.invoke("hold", { ch: new PageChannel() }), c.invoke("hold", { ch: new PageChannel() })];
      await until(() => releases.length === 2, "two calls hold a channel each");
      const err = await rejection(c.invoke("quick", { ch: new PageChannel() }));
      assert.deepEqual([err.kind, err.data], ["limit_exceeded", { limit: "channels", max: 2 }]);
      for (const r of releases) r();
      await Promise.all(held);
      for (let i = 0; i < 5; i++) assert.equal(await c.invoke("quick", { ch: new PageChannel() }), "ok");
      await s.stop();
    });
  });
}

/** Past loopback's socket buffers (a few MiB each way). */
const PAST_KERNEL = 48 * 1024 * 1024;

/** A raw page on ws that listens to "chunk" and stops reading its socket; `call` sends one invoke. */
async function pausedPage(seen: Seen, atLeast = PAST_KERNEL) {
  const app = createApp({ authorize: allowAll, plugins: [probePlugin(seen, atLeast)], maxBufferedBytes: BOUND, log: () => {} });
  const server = await serveWs(app, { windows: [], log: () => {} });
  const { token } = server.window("main");
  const ws = new WebSocket(server.wsUrl, ["ferry.v1", `ferry.token.${token}`], { origin: server.origin });
  await new Promise((r, j) => ws.once("open", r).once("error", j));
  const socket = (ws as unknown as { _socket: Duplex })._socket;
  const messages: Record<string, unknown>[] = [];
  ws.on("message", (data, binary) => {
    if (binary) return;
    const parsed = JSON.parse(String(data)) as Record<string, unknown> | Record<string, unknown>[];
    messages.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  });
  ws.send(JSON.stringify({ t: "i", id: 1, cmd: "plugin:event|listen", a: { event: "chunk", handler: 1 } }));
  await until(() => messages.some((m) => m.t === "r" && m.id === 1), "listening");
  socket.pause(); // the page stops reading: the kernel's buffers fill, then the backend's
  const call = (cmd: string, a: unknown = {}) => ws.send(JSON.stringify({ t: "i", id: 2, cmd, a }));
  return { server, ws, socket, messages, call };
}

test("ws: a page that stops reading: events dropped oldest-first within the bound; every one accounted for once it reads", async () => {
  const seen = newSeen();
  const { server, ws, socket, messages, call } = await pausedPage(seen);
  call("plugin:probe|flood");
  await until(() => seen.full, "the backend saw the connection full", 20_000);
  assert.equal(seen.drained, false, "it stays full while the page does not read");
  assert.ok(seen.maxBuffered <= BOUND, `held ${seen.maxBuffered} bytes, bound ${BOUND}`);
  socket.resume();
  await until(() => seen.drained, "writable again once the page reads", 20_000);
  await until(() => messages.some((m) => m.t === "r" && m.id === 2), "flood answered", 20_000);
  const events = messages.filter((m) => m.t === "e") as { p: { i: number } }[];
  const lagged = messages.filter((m) => m.t === "l").reduce((n, m) => n + (m.n as number[])[0]!, 0);
  assert.ok(lagged > 0, "events were dropped");
  assert.equal(events.length + lagged, seen.sent, "each event delivered or counted");
  assert.equal(events.at(-1)!.p.i, seen.sent - 1, "the newest arrives");
  ws.close();
  await server.close();
});

test("ws: a page that stops reading: text and byte events drop together, oldest first, and the result comes after them", async () => {
  const seen = newSeen();
  const { server, ws, socket, messages, call } = await pausedPage(seen);
  const n = 60_000; // about 50 MiB, past the kernel's buffers
  call("plugin:probe|mixed", { n });
  await until(() => seen.sent === n, "all emitted", 20_000);
  assert.ok(seen.maxBuffered <= BOUND, `held ${seen.maxBuffered} bytes, bound ${BOUND}`);
  socket.resume();
  await until(() => messages.some((m) => m.t === "r" && m.id === 2), "answered", 20_000);
  const events = messages.filter((m) => m.t === "e") as { p: { i: number }; $b?: unknown }[];
  const lagged = messages.filter((m) => m.t === "l").reduce((k, m) => k + (m.n as number[])[0]!, 0);
  assert.ok(lagged > 0, "events were dropped");
  assert.equal(events.length + lagged, n, "each event delivered or counted");
  const order = events.map((e) => e.p.i);
  assert.ok(
    order.every((i, k) => k === 0 || i > order[k - 1]!),
    "delivered in the order emitted",
  );
  assert.equal(order.at(-1), n - 1, "the newest arrives");
  assert.ok(events.some((e) => e.$b !== undefined) && events.some((e) => e.$b === undefined), "both kinds got through");
  assert.equal(messages.at(-1)!.t, "r", "the result after every event emitted before it");
  ws.close();
  await server.close();
});

test("ws: awaited channel sends to a page that stops reading wait within the bound, and all arrive in order", async () => {
  const seen = newSeen();
  const { server, ws, socket, messages, call } = await pausedPage(seen);
  const n = Math.ceil(PAST_KERNEL / CHUNK.length);
  call("plugin:probe|stream", { ch: "__CHANNEL__:7", n });
  await until(() => seen.full, "a send waits for the page", 20_000);
  assert.ok(seen.sent < n, "the stream is held back");
  socket.resume();
  await until(() => messages.some((m) => m.t === "m" && m.end), "the stream ended", 60_000);
  const indexes = messages.filter((m) => m.t === "m" && !m.end).map((m) => (m.v as { i: number }).i);
  assert.deepEqual(indexes, [...Array(n).keys()], "every message, in order");
  assert.ok(seen.maxBuffered <= BOUND, `held ${seen.maxBuffered} bytes, bound ${BOUND}`);
  ws.close();
  await server.close();
});

test("ws: a channel send waiting on a window that goes away rejects with connection_closed", async () => {
  const seen = newSeen();
  const { server, ws, call } = await pausedPage(seen);
  call("plugin:probe|stream", { ch: "__CHANNEL__:7", n: 1_000_000 });
  await until(() => seen.full, "a send waits for the page", 20_000);
  ws.terminate();
  await until(() => seen.error !== undefined, "the waiting send settled");
  assert.ok(seen.error instanceof FerryError && seen.error.kind === "connection_closed", String(seen.error));
  await server.close();
});

test("whenWritable rejects with connection_closed when the window goes away while full", async () => {
  const seen = newSeen();
  const { server, ws, call } = await pausedPage(seen);
  call("plugin:probe|flood");
  await until(() => seen.full, "the backend saw the connection full", 20_000);
  ws.terminate();
  await until(() => seen.error !== undefined || seen.drained, "the waiter settled");
  assert.equal(seen.drained, false, "a socket that went away never drains");
  assert.ok(seen.error instanceof FerryError && seen.error.kind === "connection_closed", String(seen.error));
  await server.close();
});
