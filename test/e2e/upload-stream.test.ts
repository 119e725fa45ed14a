/**
 * Uploads from a Chromium page to a handler (`ferry/client/upload`, `ByteStream`): 256 MiB
 * from a page `ReadableStream` arrive whole and in order (by hash, computed the same way on
 * both sides) while the backend's own count of bytes it holds for the upload stays within its
 * bound; a `File` piped through `readable()` lands in a file byte for byte; aborting the call
 * on the page ends the handler's iteration with `cancelled` and cancels the page's stream;
 * the upload limits refuse with their documented kinds.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { allowAll, createApp, definePlugin, FerryError, type ByteStream } from "ferry";
import { serveWs } from "ferry/transports/ws";
import { launchChromium } from "../support/browser.ts";
import { eventually } from "../support/wait.ts";

const MiB = 1024 * 1024;
const BOUND = 4 * MiB;

/** FNV-1a over bytes, the same loop the page runs. */
function hashBytes(h: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 16777619) >>> 0;
  return h;
}

/** The page's side: the client with uploads, connected with the window's token. */
const connect = (token: string) => `
  const ferry = await import("/__ferry/client.js");
  await import("/__ferry/upload.js");
  const client = ferry.connect({ token: "${token}" });
  const hash = (h, bytes) => { for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619) >>> 0; return h; };
  const chunkOf = (i, size) => { const c = new Uint8Array(size); for (let j = 0; j < size; j += 251) c[j] = (i * 31 + j) & 255; return c; };
`;

async function withPage(app: Parameters<typeof serveWs>[0], run: (evaluate: (body: string) => Promise<unknown>) => Promise<void>) {
  const server = await serveWs(app, { windows: [], log: () => {} });
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage();
    await page.goto(`${server.origin}/`);
    const token = server.window("main").token;
    // Strings, not functions: tsx would wrap a function's inner names in a helper the page lacks.
    await run((body) => page.evaluate(`(async () => { ${connect(token)} ${body} })()`));
  } finally {
    await chromium.close();
    await server.close();
  }
}

test("Chromium page: a 256 MiB ReadableStream reaches the handler whole, the backend within its bound", { timeout: 240_000 }, async () => {
  const TOTAL = 256 * MiB;
  let peak = 0;
  const up = definePlugin({
    name: "up",
    commands: {
      async take({ body }: { body: ByteStream }) {
        let h = 2166136261;
        let bytes = 0;
        for await (const chunk of body) {
          h = hashBytes(h, chunk);
          bytes += chunk.byteLength;
          peak = Math.max(peak, body.peakBuffered);
        }
        return { h, bytes };
      },
    },
  });
  const app = createApp({ authorize: allowAll, log: () => {}, plugins: [up], maxBufferedBytes: BOUND });
  await withPage(app, async (evaluate) => {
    const got = (await evaluate(`
      let i = 0, h = 2166136261, produced = 0;
      const body = new ReadableStream({
        pull(controller) {
          if (produced === ${TOTAL}) return controller.close();
          // Chunks of 3 MiB + 5 bytes: larger than half the credit window and not word-aligned.
          const size = Math.min(3 * 1024 * 1024 + 5, ${TOTAL} - produced);
          const chunk = chunkOf(i++, size);
          h = hash(h, chunk);
          produced += size;
          controller.enqueue(chunk);
        },
      }, { highWaterMark: 0 });
      const result = await client.invoke("plugin:up|take", { body });
      return { h, produced, result };
    `)) as { h: number; produced: number; result: { h: number; bytes: number } };
    assert.equal(got.produced, TOTAL);
    assert.equal(got.result.bytes, TOTAL, "the handler got every byte");
    assert.equal(got.result.h, got.h, "in order: the handler's hash matches the page's");
    assert.ok(peak > 0 && peak <= BOUND, `the backend held at most ${peak} bytes of the upload, bound ${BOUND}`);
  });
});

test("Chromium page: a File piped through readable() lands in a file byte for byte; a Blob too", { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-upload-"));
  try {
    const up = definePlugin({
      name: "up",
      commands: {
        async save({ file, name }: { file: ByteStream; name: string }) {
          await pipeline(file.readable(), createWriteStream(join(dir, name)));
          return file.received;
        },
      },
    });
    const app = createApp({ authorize: allowAll, log: () => {}, plugins: [up], maxBufferedBytes: 256 * 1024 });
    await withPage(app, async (evaluate) => {
      const sizes = (await evaluate(`
        const parts = [chunkOf(1, 1024 * 1024), chunkOf(2, 700 * 1024 + 3)];
        const file = new File(parts, "a.bin");
        const a = await client.invoke("plugin:up|save", { file, name: "a.bin" });
        const b = await client.invoke("plugin:up|save", { file: new Blob([chunkOf(3, 5)]), name: "b.bin" });
        return [a, b];
      `)) as number[];
      const chunkOf = (i: number, size: number) => {
        const c = new Uint8Array(size);
        for (let j = 0; j < size; j += 251) c[j] = (i * 31 + j) & 255;
        return c;
      };
      const expected = Buffer.concat([chunkOf(1, MiB), chunkOf(2, 700 * 1024 + 3)]);
      assert.deepEqual(sizes, [expected.byteLength, 5]);
      assert.ok((await readFile(join(dir, "a.bin"))).equals(expected));
      assert.ok((await readFile(join(dir, "b.bin"))).equals(Buffer.from(chunkOf(3, 5))));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test(
  "Chromium page: aborting the call ends the handler's iteration with cancelled and cancels the page's stream",
  { timeout: 60_000 },
  async () => {
    let ended: unknown;
    let read = 0;
    const up = definePlugin({
      name: "up",
      commands: {
        async drain({ body }: { body: ByteStream }) {
          try {
            for await (const chunk of body) read += chunk.byteLength;
            ended = "done";
          } catch (err) {
            ended = err;
          }
        },
      },
    });
    const app = createApp({ authorize: allowAll, log: () => {}, plugins: [up], maxBufferedBytes: MiB });
    await withPage(app, async (evaluate) => {
      const got = (await evaluate(`
      const ac = new AbortController();
      let produced = 0, cancelled = false;
      const body = new ReadableStream({
        pull(controller) {
          produced += 64 * 1024;
          controller.enqueue(new Uint8Array(64 * 1024));
          if (produced === 2 * 1024 * 1024) ac.abort();
        },
        cancel() { cancelled = true; },
      }, { highWaterMark: 0 });
      let kind;
      try { await client.invoke("plugin:up|drain", { body }, { signal: ac.signal }); } catch (e) { kind = e.kind; }
      for (let i = 0; i < 100 && !cancelled; i++) await new Promise((r) => setTimeout(r, 20));
      return { kind, cancelled, produced };
    `)) as { kind: string; cancelled: boolean; produced: number };
      assert.equal(got.kind, "cancelled", "the page's call rejects with cancelled");
      assert.ok(got.cancelled, "the page's stream was cancelled");
      const err = await eventually(() => ended, "the handler's iteration to end");
      assert.ok(err instanceof FerryError, `the iteration threw ${String(err)}`);
      assert.equal(err.kind, "cancelled");
      assert.ok(read <= got.produced, "the handler read no more than the page produced");
    });
  },
);

test("Chromium page: more uploads or more bytes than the limits allow are refused with their kinds", { timeout: 60_000 }, async () => {
  const up = definePlugin({
    name: "up",
    commands: {
      async count(args: Record<string, ByteStream>) {
        let n = 0;
        for (const body of Object.values(args)) for await (const chunk of body) n += chunk.byteLength;
        return n;
      },
    },
  });
  const app = createApp({ authorize: allowAll, log: () => {}, plugins: [up], limits: { uploads: 1, uploadBytes: MiB } });
  await withPage(app, async (evaluate) => {
    const got = (await evaluate(`
      const fails = async (p) => { try { await p; return "resolved"; } catch (e) { return { kind: e.kind, data: e.data }; } };
      const two = await fails(client.invoke("plugin:up|count", { a: new Blob([new Uint8Array(10)]), b: new Blob([new Uint8Array(10)]) }));
      const big = await fails(client.invoke("plugin:up|count", { a: new Blob([new Uint8Array(2 * 1024 * 1024)]) }));
      const fine = await client.invoke("plugin:up|count", { a: new Blob([new Uint8Array(1024 * 1024)]) });
      return { two, big, fine };
    `)) as {
      two: { kind: string; data: { limit: string; max: number } };
      big: { kind: string; data: { limit: string; max: number } };
      fine: number;
    };
    assert.deepEqual(got.two, { kind: "limit_exceeded", data: { limit: "uploads", max: 1 } });
    assert.deepEqual(got.big, { kind: "payload_too_large", data: { limit: "uploadBytes", max: MiB } });
    assert.equal(got.fine, MiB, "an upload within the limits goes through after the refused ones");
  });
});
