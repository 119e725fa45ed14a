/**
 * Limits on what one page can make the backend hold (docs/errors.md): calls in flight and
 * listeners per connection fail with `limit_exceeded`; connections per window close with
 * 4429, while a reload storm (a new connection, then the old one gone, over and over) is
 * never refused. Another window never notices.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { allowAll, createApp, DEFAULT_LIMITS, type FerryError } from "ferry";
import { serveWs } from "ferry/transports/ws";
import { connectWs } from "ferry/client/node";
import { harnesses } from "./support/transports.ts";
import { rejection, until } from "./support/wait.ts";

for (const harness of harnesses) {
  describe(`limits per connection (${harness.name})`, () => {
    test("calls in flight past the limit fail with limit_exceeded; other windows and later calls go on", async () => {
      const release: (() => void)[] = [];
      const app = createApp({
        authorize: allowAll,
        log: () => {},
        limits: { callsInFlight: 4 },
        commands: {
          hang: () => new Promise<string>((r) => release.push(() => r("done"))),
          ping: () => "pong",
        },
      });
      const s = await harness.start(app);
      const a = await s.connect("a");
      const b = await s.connect("b");
      const held = [1, 2, 3, 4].map(() => a.invoke("hang"));
      await until(() => release.length === 4, "four calls running");
      const err = await rejection(a.invoke("ping"));
      assert.equal(err.kind, "limit_exceeded");
      assert.deepEqual(err.data, { limit: "callsInFlight", max: 4 });
      assert.equal(await b.invoke("ping"), "pong", "another window is not limited by this one");
      for (const r of release) r();
      assert.deepEqual(await Promise.all(held), ["done", "done", "done", "done"]);
      assert.equal(await a.invoke("ping"), "pong", "room again once calls settle");
      await s.stop();
    });

    test("listeners past the limit fail with limit_exceeded; unlisten makes room", async () => {
      const app = createApp({ authorize: allowAll, log: () => {}, limits: { listeners: 3 } });
      const s = await harness.start(app);
      const c = await s.connect("main");
      const offs = [await c.listen("x", () => {}), await c.listen("y", () => {}), await c.listen("z", () => {})];
      await assert.rejects(
        c.listen("w", () => {}),
        (e: FerryError) => {
          assert.equal(e.kind, "limit_exceeded");
          assert.deepEqual(e.data, { limit: "listeners", max: 3 });
          return true;
        },
      );
      offs[0]!();
      await until(() => app.listenerCount() === 2, "the unlisten arrived");
      await c.listen("w", () => {});
      assert.equal(app.listenerCount(), 3);
      await s.stop();
    });
  });
}

test("connections per window: one past the limit is closed with 4429; a reload storm is not refused", async () => {
  const app = createApp({ authorize: allowAll, log: () => {}, limits: { connectionsPerWindow: 3 }, commands: { ping: () => "pong" } });
  const logs: string[] = [];
  const server = await serveWs(app, { windows: [], log: (m) => logs.push(m) });
  const { token } = server.window("main");
  const open = () => connectWs(server.wsUrl, { token, origin: server.origin });
  try {
    // A reload storm: each new page connects before the old one is gone, 50 times.
    let previous = await open();
    for (let i = 0; i < 50; i++) {
      const next = await open();
      assert.equal(await next.invoke("ping"), "pong", `reload ${i} was refused`);
      previous.close();
      previous = next;
    }
    const held = [previous, await open(), await open()];
    for (const c of held) assert.equal(await c.invoke("ping"), "pong");
    const fourth = await open();
    const err = await rejection(fourth.invoke("ping"));
    assert.equal(err.kind, "connection_closed");
    assert.equal((err.data as { code: number }).code, 4429);
    assert.match(err.message, /too many open connections/);
    assert.ok(logs.some((l) => /connectionsPerWindow/.test(l)));
    for (const c of held) c.close();
  } finally {
    await server.close();
  }
});

test("limits must be positive integers; unset ones keep their defaults", () => {
  assert.throws(() => createApp({ limits: { listeners: 0 } }), /limits\.listeners must be a positive integer/);
  assert.throws(() => createApp({ limits: { callsInFlight: 1.5 } }), /limits\.callsInFlight/);
  const app = createApp({ limits: { listeners: 7 } });
  assert.deepEqual(app.limits, { ...DEFAULT_LIMITS, listeners: 7 });
});

test("a message announcing too many byte segments, or more bytes than a frame may hold, is closed with 1009 before any arrives", async () => {
  const app = createApp({
    authorize: allowAll,
    log: () => {},
    limits: { segmentsPerMessage: 8 },
    maxFrameBytes: 1024 * 1024,
    commands: { ping: () => "pong" },
  });
  const server = await serveWs(app, { windows: [], log: () => {} });
  const { token } = server.window("main");
  const other = await connectWs(server.wsUrl, { token, origin: server.origin });
  const { default: WebSocket } = await import("ws");
  const closeCodeFor = async (refs: [unknown[], number][]) => {
    const ws = new WebSocket(server.wsUrl, ["ferry.v1", `ferry.token.${token}`], { origin: server.origin });
    await new Promise((r, j) => ws.once("open", r).once("error", j));
    const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
    ws.send(JSON.stringify({ t: "i", id: 1, cmd: "ping", a: {}, $b: refs }));
    return closed;
  };
  try {
    const many = Array.from({ length: 9 }, (_, i): [unknown[], number] => [["a", String(i)], 1]);
    assert.equal(await closeCodeFor(many), 1009, "9 segments where 8 may be announced");
    assert.equal(
      await closeCodeFor([
        [["a", "x"], 600_000],
        [["a", "y"], 600_000],
      ]),
      1009,
      "1.2 MB announced where a frame may hold 1 MiB",
    );
    assert.equal(await other.invoke("ping"), "pong", "another connection never noticed");
  } finally {
    other.close();
    await server.close();
  }
});

test("a text frame too deep or with too many containers is closed with 1009 before it is parsed", async () => {
  const app = createApp({
    authorize: allowAll,
    log: () => {},
    limits: { nestingDepth: 32, containersPerFrame: 6000 },
    commands: { echo: ({ v }: { v: unknown }) => (Array.isArray(v) ? v.length : typeof v) },
  });
  const server = await serveWs(app, { windows: [], log: () => {} });
  const { token } = server.window("main");
  const other = await connectWs(server.wsUrl, { token, origin: server.origin });
  const { default: WebSocket } = await import("ws");
  const closeOf = async (text: string) => {
    const ws = new WebSocket(server.wsUrl, ["ferry.v1", `ferry.token.${token}`], { origin: server.origin });
    await new Promise((r, j) => ws.once("open", r).once("error", j));
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.once("close", (code, reason) => r({ code, reason: String(reason) })),
    );
    ws.send(text);
    return closed;
  };
  const pad = "x".repeat(5000); // past the 4 KiB below which frames are not scanned
  const invoke = (v: string) => `{"t":"i","id":1,"cmd":"echo","a":{"pad":"${pad}","v":${v}}}`;
  try {
    const deep = await closeOf(invoke("[".repeat(40) + "]".repeat(40)));
    assert.deepEqual([deep.code, /nest at most 32/.test(deep.reason)], [1009, true], deep.reason);
    const wide = await closeOf(invoke(`[${Array(7000).fill("{}").join(",")}]`));
    assert.deepEqual([wide.code, /at most 6000 arrays and objects/.test(wide.reason)], [1009, true], wide.reason);
    // Brackets inside strings are not structure; a big frame within the limits is served.
    const fine = await other.invoke("echo", { pad: "[[[[{{{{".repeat(2000), v: Array(900).fill({}) });
    assert.equal(fine, 900);
    assert.equal(await other.invoke("echo", { v: "ok" }), "string", "the other connection never noticed");
  } finally {
    other.close();
    await server.close();
  }
});
