/**
 * How replies leave the backend (docs/profile.md, round 4). A synchronous handler's reply is
 * handed to the socket in a promise job queued by `receive`, with no tick in between: it is
 * on the round trip's critical path. The replies to every frame read in one go still leave as
 * one frame, whether the handlers answer at once or after promise jobs, and what a handler
 * emits to its own window leaves before its reply, in the same frame. Replies go as text
 * messages, though the transport hands them to `ws` as bytes.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { allowAll, createApp } from "ferry";
import { serveWs, tokenProtocols } from "ferry/transports/ws";
import { until } from "./support/wait.ts";

function replyApp() {
  return createApp({
    authorize: allowAll,
    commands: {
      now: ({ n }: { n: number }) => n,
      async later({ n }: { n: number }) {
        await Promise.resolve();
        return n;
      },
      shout({ n }: { n: number }, ctx) {
        ctx.app.emitTo(ctx.window, "said", n);
        return n;
      },
    },
  });
}

const invoke = (id: number, cmd: string, args: unknown) => ({ t: "i", id, cmd, a: args });

/** An in-process connection whose peer records each frame as parsed JSON. */
function recorded() {
  const frames: unknown[] = [];
  const conn = replyApp().connect("main", {
    send(frame, written) {
      assert.equal(typeof frame, "string");
      frames.push(JSON.parse(frame as string));
      written();
    },
    close() {},
  });
  return { conn, frames };
}

test("a synchronous handler's reply is sent in the promise job receive queues, no tick later", async () => {
  const { conn, frames } = recorded();
  conn.receive(JSON.stringify(invoke(1, "now", { n: 7 })));
  assert.deepEqual(frames, [], "not inside receive: a frame read with it may follow");
  // The job receive queued runs before this await resumes; a tick or a turn would run after.
  await Promise.resolve();
  assert.deepEqual(frames, [{ t: "r", id: 1, v: 7 }]);

  conn.receive(JSON.stringify(invoke(2, "later", { n: 8 })));
  await until(() => frames.length === 2, "the async reply");
  assert.deepEqual(frames[1], { t: "r", id: 2, v: 8 });
});

test("the replies to frames read in one go leave as one frame", async () => {
  const { conn, frames } = recorded();
  for (let id = 1; id <= 3; id++) conn.receive(JSON.stringify(invoke(id, "now", { n: id })));
  await Promise.resolve();
  assert.deepEqual(frames, [
    [
      { t: "r", id: 1, v: 1 },
      { t: "r", id: 2, v: 2 },
      { t: "r", id: 3, v: 3 },
    ],
  ]);
});

test("what a handler emits to its own window leaves before its reply, in one frame", async () => {
  const { conn, frames } = recorded();
  conn.receive(JSON.stringify(invoke(1, "plugin:event|listen", { event: "said", handler: 5 })));
  await Promise.resolve();
  assert.deepEqual(frames, [{ t: "r", id: 1, v: 5 }]);
  conn.receive(JSON.stringify(invoke(2, "shout", { n: 3 })));
  await Promise.resolve();
  assert.deepEqual(frames[1], [
    { t: "e", n: "said", h: [5], p: 3 },
    { t: "r", id: 2, v: 3 },
  ]);
});

test("over a real socket, the replies to one frame of 100 calls leave as one frame: sync, async and mixed handlers", async () => {
  const server = await serveWs(replyApp(), { windows: ["main"], origins: [], log: () => {} });
  const ws = new WebSocket(server.wsUrl, tokenProtocols(server.window("main").token), { origin: server.origin });
  try {
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const frames: unknown[][] = [];
    let binary = 0;
    ws.on("message", (data, isBinary) => {
      // Sent as UTF-8 bytes (src/transports/ws-send.ts), still as text messages.
      if (isBinary) binary++;
      const parsed: unknown = JSON.parse(data.toString());
      frames.push(Array.isArray(parsed) ? parsed : [parsed]);
    });
    let nextId = 1;
    // Mixed: the synchronous replies leave when the frame has been read, the async ones after
    // their promise jobs: two frames, never one per call.
    const cases = [
      { name: "sync", pick: () => "now", most: 1 },
      { name: "async", pick: () => "later", most: 1 },
      { name: "mixed", pick: (i: number) => (i % 2 === 0 ? "now" : "later"), most: 2 },
    ];
    for (const { name, pick, most } of cases) {
      frames.length = 0;
      const ids = Array.from({ length: 100 }, () => nextId++);
      ws.send(JSON.stringify(ids.map((id, i) => invoke(id, pick(i), { n: id }))));
      await until(() => frames.flat().length === 100, `100 ${name} replies`);
      const replies = frames.flat() as { t: string; id: number; v: number }[];
      assert.deepEqual(
        replies.map((r) => r.id).sort((a, b) => a - b),
        ids,
        `${name}: each call answered once`,
      );
      assert.ok(
        replies.every((r) => r.t === "r" && r.v === r.id),
        `${name}: each with its own result`,
      );
      assert.ok(frames.length <= most, `${name}: ${frames.length} frames for 100 replies`);
      assert.equal(binary, 0, `${name}: replies are text messages`);
    }
  } finally {
    ws.close();
    await server.close();
  }
});
