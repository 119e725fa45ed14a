/**
 * Uploads over the Node client and a raw socket: a handler that stops early stops the
 * page's stream; an upload id already open is refused; the backend grants credit in steps
 * and closes a socket that sends past it (1009); bytes in an argument (what the Tauri bridge makes of a raw body) still arrive whole.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { allowAll, createApp, type ByteStream } from "ferry";
import { serveWs } from "ferry/transports/ws";
import { connectWs } from "ferry/client/node";
import "ferry/client/upload";
import { rejection, until } from "./support/wait.ts";

const KiB = 1024;

/**
 * A page on a raw socket to `app`'s window "main": the text messages it received, its close
 * code once closed, and `piece(s, n)` to send `n` bytes of upload `s` as the protocol frames them.
 */
async function rawPage(app: Parameters<typeof serveWs>[0]) {
  const server = await serveWs(app, { windows: ["main"], log: () => {} });
  const ws = new WebSocket(server.wsUrl, ["ferry.v1", `ferry.token.${server.window("main").token}`], { origin: server.origin });
  const texts: Record<string, unknown>[] = [];
  ws.on("message", (data, isBinary) => {
    if (isBinary) return;
    const parsed = JSON.parse(data.toString()) as Record<string, unknown> | Record<string, unknown>[];
    texts.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  });
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  await new Promise((r) => ws.once("open", r));
  const piece = (s: number, n: number) => {
    ws.send(`{"t":"s","s":${s},"$b":[[["d"],${n}]]}`);
    ws.send(new Uint8Array(n), { binary: true });
  };
  return { server, ws, texts, closed, piece };
}

test("a handler that breaks early stops the page's stream; bytes in an argument (how Tauri raw bodies travel) still go whole", async () => {
  const app = createApp({
    authorize: allowAll,
    log: () => {},
    maxBufferedBytes: 64 * KiB,
    commands: {
      async first({ body }: { body: ByteStream }) {
        for await (const chunk of body) return chunk.byteLength;
        return 0;
      },
      raw: (args: { body?: Uint8Array }) => args,
    },
  });
  const server = await serveWs(app, { windows: ["main"], log: () => {} });
  const client = await connectWs(server.wsUrl, { token: server.window("main").token, origin: server.origin });
  try {
    let cancelled = false;
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled++;
          controller.enqueue(new Uint8Array(16 * KiB));
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    assert.equal(await client.invoke("first", { body }), 16 * KiB);
    await until(() => cancelled, "the page's stream to be cancelled");
    // An endless stream, read only within the credit: about the bound, never without end.
    assert.ok(pulled * 16 * KiB <= 64 * KiB + 16 * KiB, `the page read ${pulled} chunks of an endless stream`);
    const bytes = new Uint8Array([1, 2, 3]);
    assert.deepEqual(await client.invoke("raw", { body: bytes }), { body: bytes });
  } finally {
    client.close();
    await server.close();
  }
});

test("an upload id already open is refused with invalid_args", async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const app = createApp({
    authorize: allowAll,
    log: () => {},
    commands: {
      hold: async (_: { body: ByteStream }) => held,
    },
  });
  const server = await serveWs(app, { windows: ["main"], log: () => {} });
  const client = await connectWs(server.wsUrl, { token: server.window("main").token, origin: server.origin });
  try {
    // The page-side ids are the client's; a raw id reused on purpose is what a bad page could send.
    const first = client.invoke("hold", { body: "__STREAM__:999999" });
    const err = await rejection(client.invoke("hold", { body: "__STREAM__:999999" }));
    assert.equal(err.kind, "invalid_args");
    release();
    await first;
  } finally {
    client.close();
    await server.close();
  }
});

test("the backend grants credit as the handler reads, and closes a socket that sends past it with 1009", async () => {
  let taken = 0;
  let next!: () => void;
  const app = createApp({
    authorize: allowAll,
    log: () => {},
    maxBufferedBytes: 64 * KiB,
    commands: {
      async slow({ body }: { body: ByteStream }) {
        for await (const chunk of body) {
          taken += chunk.byteLength;
          await new Promise<void>((r) => (next = r));
        }
      },
    },
  });
  const { server, ws, texts, closed, piece: pieceOf } = await rawPage(app);
  try {
    const piece = (n: number) => pieceOf(7, n);
    ws.send(`{"t":"i","id":1,"cmd":"slow","a":{"body":"__STREAM__:7"}}`);
    await until(() => texts.some((m) => m.t === "g"), "the first grant");
    assert.deepEqual(texts[0], { t: "g", s: 7, n: 64 * KiB }, "the first grant is the bound");
    // Use the whole credit; the handler takes one piece and waits.
    for (let i = 0; i < 4; i++) piece(16 * KiB);
    await until(() => taken === 16 * KiB, "the handler's first chunk");
    next();
    await until(() => taken === 32 * KiB, "the handler's second chunk");
    // Half the bound taken: granted back.
    await until(() => texts.filter((m) => m.t === "g").length === 2, "the second grant");
    assert.deepEqual(texts.at(-1), { t: "g", s: 7, n: 32 * KiB });
    // 32 KiB of credit: 32 KiB + 1 is past it.
    piece(32 * KiB + 1);
    assert.equal(await closed, 1009);
  } finally {
    ws.terminate();
    await server.close();
  }
});

test("a connection's uploads share one bound: the grants and the bytes held over all of them stay within it", async () => {
  const BOUND = 64 * KiB;
  const PIECE = 4 * KiB;
  let streams: ByteStream[] = [];
  const app = createApp({
    authorize: allowAll,
    log: () => {},
    maxBufferedBytes: BOUND,
    commands: {
      // Starts reading all three (each takes its first piece), then holds them unread.
      async three(args: { a: ByteStream; b: ByteStream; c: ByteStream }) {
        streams = [args.a, args.b, args.c];
        await Promise.all(streams.map((s) => s[Symbol.asyncIterator]().next()));
        await new Promise<void>(() => {});
      },
      // After a turn of the event loop: the handler has taken what woke it.
      held: async () => {
        await new Promise((r) => setImmediate(r));
        return streams[0]!.connectionBuffered;
      },
    },
  });
  const { server, ws, texts, piece } = await rawPage(app);
  try {
    ws.send(`{"t":"i","id":1,"cmd":"three","a":{"a":"__STREAM__:1","b":"__STREAM__:2","c":"__STREAM__:3"}}`);
    await until(() => texts.filter((m) => m.t === "g").length === 3, "a grant for each upload");
    const credit = new Map<number, number>();
    for (const g of texts.filter((m) => m.t === "g")) credit.set(g.s as number, (credit.get(g.s as number) ?? 0) + (g.n as number));
    const granted = [...credit.values()].reduce((a, b) => a + b, 0);
    assert.equal(credit.size, 3, "every upload got credit");
    assert.ok(granted <= BOUND, `granted ${granted} bytes over three uploads, bound ${BOUND}`);
    // The page uses all of its credit, in pieces; the handler takes one piece of each and stops.
    for (const [s, n] of credit) {
      for (let left = n; left > 0; left -= PIECE) {
        piece(s, Math.min(PIECE, left));
      }
    }
    // A call after the pieces on the same socket: by its reply every piece has been received.
    ws.send(`{"t":"i","id":2,"cmd":"held","a":{}}`);
    await until(() => texts.some((m) => m.t === "r" && m.id === 2), "the count of bytes held");
    const held = texts.find((m) => m.t === "r" && m.id === 2)!.v as { now: number; peak: number };
    assert.equal(held.now, granted - 3 * PIECE, "everything sent and not taken is held");
    assert.ok(held.peak <= BOUND, `held at most ${held.peak} bytes over three uploads, bound ${BOUND}`);
    assert.equal(texts.filter((m) => m.t === "g").length, 3, "no credit beyond the bound was granted");
  } finally {
    ws.terminate();
    await server.close();
  }
});

test("a handler that reads one upload to its end before the next is not starved by the shared bound", async () => {
  const app = createApp({
    authorize: allowAll,
    log: () => {},
    maxBufferedBytes: 64 * KiB,
    commands: {
      async sizes({ a, b }: { a: ByteStream; b: ByteStream }) {
        const out: number[] = [];
        for (const s of [b, a]) {
          let n = 0;
          for await (const chunk of s) n += chunk.byteLength;
          out.push(n);
        }
        return out;
      },
    },
  });
  const server = await serveWs(app, { windows: ["main"], log: () => {} });
  const client = await connectWs(server.wsUrl, { token: server.window("main").token, origin: server.origin });
  const stream = (total: number) => {
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        controller.enqueue(new Uint8Array(Math.min(24 * KiB, total - sent)));
        sent += 24 * KiB;
      },
    });
  };
  try {
    assert.deepEqual(await client.invoke("sizes", { a: stream(512 * KiB), b: stream(300 * KiB) }), [300 * KiB, 512 * KiB]);
  } finally {
    client.close();
    await server.close();
  }
});
