/**
 * The Tauri bridge in Node: the published `@tauri-apps/api` calling into the bridge's
 * globals, over the in-memory transport to a real app. (Chromium runs the same packages
 * end to end in test/e2e/tauri-bridge.test.ts.)
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Channel as BackendChannel } from "../backend/channel.ts";
import { allowAll, createApp, definePlugin, type App } from "../backend/app.ts";
import { FerryError } from "../protocol/errors.ts";
import { connectMemory } from "../transports/memory.ts";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fsPlugin } from "../plugins/fs.ts";
import { createClient, type Client } from "./core.ts";
import { installTauriBridge, tauriError } from "./tauri.ts";
import { until } from "../../test/support/wait.ts";

// Tauri's packages reach the globals through `window`.
(globalThis as Record<string, unknown>).window = globalThis;
const core = await import("@tauri-apps/api/core");
const event = await import("@tauri-apps/api/event");
const tauriFs = await import("@tauri-apps/plugin-fs");

/**
 * Replaces the built-in `plugin:event|listen` (its other commands stay) with one that emits
 * at once, so the event shares a frame with the reply.
 */
const eagerEvents = definePlugin({
  name: "event",
  commands: {
    listen(args: { event: string; handler: number }, ctx) {
      ctx.connection.listen(args.event, args.handler);
      if (args.event === "eager") ctx.app.emit("eager", "right away");
      return args.handler;
    },
  },
});

describe("Tauri bridge (Node, memory transport)", () => {
  let app: App;
  let client: Client;
  let dir: string;
  const seen: unknown[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-bridge-fs-"));
    const fs = fsPlugin({ identifier: "com.ferry.bridge-test" });
    fs.allowPath("main", dir, { recursive: true }); // as a dialog pick would
    app = createApp({
      log: () => {},
      authorize: allowAll,
      plugins: [eagerEvents, fs],
      commands: {
        echo: (args: unknown) => args,
        thrown_value: () => {
          throw { code: 7, detail: ["a"] };
        },
        thrown_framework_kind: () => {
          throw { kind: "timeout", message: "slow" };
        },
        typed: () => {
          throw new FerryError("not_found", "nothing here");
        },
        // An app's own FerryError whose kind is also one of ferry's: the page must see it as thrown.
        app_timeout: async () => {
          throw new FerryError("timeout", "the upstream server was slow", { seconds: 30 });
        },
        chunks: async ({ onChunk }: { onChunk: BackendChannel<Uint8Array> }) => {
          await onChunk.send(new Uint8Array([1, 2]));
          await onChunk.send(new Uint8Array([3]));
          onChunk.close();
          return null;
        },
        record: (args: unknown) => {
          seen.push(args);
          return null;
        },
      },
    });
    client = createClient(connectMemory(app, "main"));
    installTauriBridge({ client: () => client, label: "main" });
  });
  after(async () => {
    app.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("plugin-fs writes (raw body + headers) and reads (text as bytes) through ferry's fs plugin", async () => {
    const text = join(dir, "note.txt");
    await tauriFs.writeTextFile(text, "héllo ⛴");
    assert.equal(await readFile(text, "utf8"), "héllo ⛴");
    assert.equal(await tauriFs.readTextFile(text), "héllo ⛴");
    const bin = join(dir, "data.bin");
    await tauriFs.writeFile(bin, new Uint8Array([0, 255, 7]));
    assert.deepEqual([...(await tauriFs.readFile(bin))], [0, 255, 7]);
    await tauriFs.writeTextFile(text, "!", { append: true });
    assert.equal(await tauriFs.readTextFile(text), "héllo ⛴!");
    assert.equal(await tauriFs.exists(join(dir, "nope")), false);
    await assert.rejects(tauriFs.readTextFile("/etc/hostname"), (e) => typeof e === "string");
  });

  test("an event that shares a frame with the listen reply still reaches the listener", async () => {
    const got: unknown[] = [];
    const unlisten = await event.listen("eager", (e) => got.push(e.payload));
    await until(() => got.length > 0, "the eager event");
    assert.deepEqual(got, ["right away"]);
    unlisten();
    await core.invoke("echo", {}); // one round trip: the unlisten went first
    assert.equal(app.listenerCount("eager"), 0);
  });

  test("errors: app kinds as { kind, message }, ferry's own as strings, others untouched", async () => {
    await assert.rejects(core.invoke("typed"), (e) => {
      assert.deepEqual(e, { kind: "not_found", message: "nothing here" });
      return true;
    });
    // Tauri's wording for an unknown command, then ferry's hint.
    await assert.rejects(core.invoke("nope"), (e) => typeof e === "string" && e.startsWith("command nope not found."));
    // An app's FerryError keeps its shape even when its kind is one of ferry's own ...
    await assert.rejects(core.invoke("app_timeout"), (e) => {
      assert.deepEqual(e, { kind: "timeout", message: "the upstream server was slow", data: { seconds: 30 } });
      return true;
    });
    // ... while a ferry client calling the same command keeps a FerryError of that kind.
    await assert.rejects(client.invoke("app_timeout"), (e) => {
      assert.ok(e instanceof FerryError);
      assert.equal(e.kind, "timeout");
      assert.deepEqual(e.data, { seconds: 30 });
      return true;
    });
    // A thrown value arrives as that very value, as Tauri's Err(e), whatever its kind field says.
    await assert.rejects(core.invoke("thrown_value"), (e) => {
      assert.deepEqual(e, { code: 7, detail: ["a"] });
      return true;
    });
    await assert.rejects(core.invoke("thrown_framework_kind"), (e) => {
      assert.deepEqual(e, { kind: "timeout", message: "slow" });
      return true;
    });
    assert.equal(tauriError(new FerryError("permission_denied", "no")), "no");
    const other = new TypeError("x");
    assert.equal(tauriError(other), other);
  });

  test("raw bodies arrive as { body, headers }, from bytes or a number array, with any header form", async () => {
    await core.invoke("record", [1, 2, 3], { headers: new Headers({ "X-A": "1" }) });
    await core.invoke("record", new Uint8Array([9]).buffer, { headers: [["X-B", "2"]] });
    const got = seen.splice(0) as { body: Uint8Array; headers: unknown }[];
    assert.ok(got.every((r) => r.body instanceof Uint8Array));
    assert.deepEqual(
      got.map((r) => ({ body: [...r.body], headers: r.headers })),
      [
        { body: [1, 2, 3], headers: { "x-a": "1" } },
        { body: [9], headers: { "x-b": "2" } },
      ],
    );
  });

  test("bytes sent on a channel arrive as ArrayBuffers, as Tauri's raw channel messages do", async () => {
    const got: unknown[] = [];
    const onChunk = new core.Channel<ArrayBuffer>((m) => got.push(m));
    await core.invoke("chunks", { onChunk });
    assert.ok(got.every((m) => m instanceof ArrayBuffer));
    assert.deepEqual(
      got.map((m) => [...new Uint8Array(m as ArrayBuffer)]),
      [[1, 2], [3]],
    );
    assert.equal((globalThis as any).__TAURI_INTERNALS__.callbacks.has(onChunk.id), false, "closed: callback freed");
  });

  test("values with Tauri's SERIALIZE_TO_IPC_FN hook are sent as the hook's value", async () => {
    class UserId {
      constructor(readonly id: string) {}
      [core.SERIALIZE_TO_IPC_FN]() {
        return { String: this.id };
      }
    }
    assert.deepEqual(await core.invoke("echo", { user: new UserId("u1"), list: [new UserId("u2")] }), {
      user: { String: "u1" },
      list: [{ String: "u2" }],
    });
  });
});
