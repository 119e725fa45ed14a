/**
 * The page side of the tutorial's fourth gotcha in Chromium: with `ferry/client/dev` loaded,
 * the page's own `invoke` arguments and `emit` / `emitTo` payloads holding `undefined` in an
 * array or a class instance without `toJSON` are refused with `not_serializable` naming the
 * path, before anything is sent (the handler never runs); a `Date` (it has `toJSON`), a
 * `Channel` and an upload `Blob` still go. Without it (production) JSON changes them without
 * a word, which is what the dev check is for.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { allowAll, createApp, definePlugin, type ByteStream } from "ferry";
import { serveWs } from "ferry/transports/ws";
import { launchChromium } from "../support/browser.ts";

interface Outcome {
  ok?: unknown;
  kind?: string;
  path?: string;
  type?: string;
  message?: string;
}

const PAGE = `
  const run = async (p) => { try { return { ok: await p }; } catch (e) { return { kind: e.kind, path: e.data?.path, type: e.data?.type, message: e.message }; } };
  class Point { constructor() { this.x = 1; this.y = 2; } norm() { return Math.hypot(this.x, this.y); } }
  const results = {
    hole: await run(client.invoke("plugin:probe|echo", { tags: ["a", undefined] })),
    instance: await run(client.invoke("plugin:probe|echo", { at: { p: new Point() } })),
    emitted: await run(client.emit("moved", [new Point()])),
    emittedTo: await run(client.emitTo("main", "moved", { list: [1, undefined] })),
    fine: await run(client.invoke("plugin:probe|echo", { when: new Date(0), list: [1, null], plain: { a: [{}] } })),
    upload: await run(client.invoke("plugin:probe|size", { body: new Blob([new Uint8Array(1000)]) })),
  };
  results;
`;

for (const dev of [true, false]) {
  test(`${dev ? "with ferry/client/dev" : "production (without it)"}: the page's own unsendable arguments and payloads`, async () => {
    const calls: unknown[] = [];
    const emitted: unknown[] = [];
    const probe = definePlugin({
      name: "probe",
      commands: {
        echo(args: Record<string, unknown>) {
          calls.push(args);
          return args;
        },
        async size({ body }: { body: ByteStream }) {
          let n = 0;
          for await (const chunk of body) n += chunk.byteLength;
          return n;
        },
      },
    });
    const app = createApp({ authorize: allowAll, log: () => {}, plugins: [probe] });
    app.listen("moved", (e) => void emitted.push(e.payload));
    const server = await serveWs(app, { windows: [], log: () => {} });
    const chromium = await launchChromium();
    try {
      const page = await chromium.browser.newPage();
      await page.goto(`${server.origin}/`);
      const got = (await page.evaluate(`(async () => {
        const ferry = await import("/__ferry/client.js");
        await import("/__ferry/upload.js");
        ${dev ? `await import("/__ferry/dev.js");` : ""}
        const client = ferry.connect({ token: "${server.window("main").token}" });
        ${PAGE}
        return results;
      })()`)) as Record<string, Outcome>;

      assert.equal(got.upload!.ok, 1000, "an upload Blob is still streamed");
      assert.deepEqual(got.fine!.ok, { when: new Date(0).toISOString(), list: [1, null], plain: { a: [{}] } });
      if (!dev) {
        // What the dev check exists for: JSON changed them and nobody was told.
        assert.deepEqual(got.hole!.ok, { tags: ["a", null] });
        assert.deepEqual(got.instance!.ok, { at: { p: { x: 1, y: 2 } } });
        assert.deepEqual(emitted, [[{ x: 1, y: 2 }]]);
        assert.equal(got.emittedTo!.kind, undefined, "emitTo went through");
        return;
      }
      assert.deepEqual(
        { kind: got.hole!.kind, path: got.hole!.path, type: got.hole!.type },
        { kind: "not_serializable", path: "args.tags[1]", type: "undefined" },
      );
      assert.match(got.hole!.message!, /use null/);
      assert.deepEqual(
        { kind: got.instance!.kind, path: got.instance!.path, type: got.instance!.type },
        { kind: "not_serializable", path: "args.at.p", type: "Point" },
      );
      assert.match(got.instance!.message!, /toJSON/);
      assert.deepEqual([got.emitted!.kind, got.emitted!.path], ["not_serializable", "payload[0]"]);
      assert.deepEqual([got.emittedTo!.kind, got.emittedTo!.path], ["not_serializable", "payload.list[1]"]);
      // Refused on the page: only the fine call reached the handler, no refused event was emitted.
      assert.equal(calls.length, 1);
      assert.deepEqual(emitted, []);
    } finally {
      await chromium.close();
      await server.close();
    }
  });
}
