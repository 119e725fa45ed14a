/**
 * 256 MiB from a handler to a Chromium page over a `Channel`, every send awaited: the page
 * gets every byte in order (checked by hash, computed the same way on both sides), and the
 * backend's own count of bytes held for the page never exceeds its bound.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { allowAll, createApp, definePlugin, type Channel, type PluginContext } from "ferry";
import { serveWs } from "ferry/transports/ws";
import { launchChromium } from "../support/browser.ts";

const MiB = 1024 * 1024;
const TOTAL = 256 * MiB;
const BOUND = 4 * MiB;

/** FNV-1a over 32-bit words, the same loop the page runs. */
function hashWords(h: number, bytes: Uint8Array): number {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 16777619) >>> 0;
  return h;
}

test("Chromium page: a 256 MiB channel stream arrives whole, the backend within its bound", { timeout: 180_000 }, async () => {
  let maxBuffered = 0;
  const big = definePlugin({
    name: "big",
    commands: {
      async stream({ ch }: { ch: Channel<Uint8Array> }, ctx: PluginContext) {
        let h = 2166136261;
        for (let i = 0; i < TOTAL / MiB; i++) {
          const chunk = new Uint8Array(MiB);
          const words = new Uint32Array(chunk.buffer);
          for (let w = 0; w < words.length; w += 1024) words[w] = i * 1_000_003 + w;
          h = hashWords(h, chunk);
          await ch.send(chunk);
          maxBuffered = Math.max(maxBuffered, ctx.connection.buffered);
        }
        ch.close();
        return h;
      },
    },
  });
  const app = createApp({ authorize: allowAll, log: () => {}, plugins: [big], maxBufferedBytes: BOUND });
  const server = await serveWs(app, { windows: [], log: () => {} });
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage();
    await page.goto(`${server.origin}/`);
    // Strings, not functions: tsx would wrap a function's inner names in a helper the page lacks.
    const got = (await page.evaluate(`(async () => {
      const ferry = await import("/__ferry/client.js");
      const client = ferry.connect({ token: "${server.window("main").token}" });
      let h = 2166136261, bytes = 0, inOrder = true;
      const done = new Promise((resolve) => {
        const ch = new ferry.Channel((chunk) => {
          const words = new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.byteLength / 4);
          for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 16777619) >>> 0;
          bytes += chunk.byteLength;
        });
        ch.onclose = resolve;
        window.sent = client.invoke("plugin:big|stream", { ch });
      });
      await done;
      return { h, bytes, sent: await window.sent };
    })()`)) as { h: number; bytes: number; sent: number };
    assert.equal(got.bytes, TOTAL);
    assert.equal(got.h, got.sent, "the page's hash matches what the handler sent");
    assert.ok(maxBuffered <= BOUND, `the backend held ${maxBuffered} bytes for the page, bound ${BOUND}`);
  } finally {
    await chromium.close();
    await server.close();
  }
});
