/**
 * The backend's side of Tauri compatibility, over both transports: argument naming
 * (`rename`), error values from plain throws, and the event plugin's targets.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { allowAll, createApp, defineCommand, FerryError, type App, type BackendEvent } from "ferry";
import type { Client } from "ferry/client";
import { harnesses } from "./support/transports.ts";
import { rejection } from "./support/wait.ts";

function makeApp() {
  return createApp({
    log: () => {},
    authorize: allowAll,
    // Handlers ported from Rust: the page sends camelCase, they read snake_case.
    rename: "camelCase",
    commands: {
      plain: (args: Record<string, unknown>) => args,
      schema: defineCommand(z.object({ file_path: z.string(), max_bytes: z.number() }), (args) => args),
      // Tauri's rename_all = "snake_case": keys arrive as sent.
      wire_snake: defineCommand(z.object({ file_path: z.string() }), (args) => args, { rename: "snake_case" }),
      object_form: { rename: "snake_case", handler: (args: Record<string, unknown>) => args },
      throws_string: () => {
        throw "disk is full";
      },
      throws_shape: () => {
        throw { kind: "NotFound", message: "no such user", data: { id: 7 } };
      },
      throws_error: () => {
        throw new Error("a secret in the message");
      },
    },
  });
}

for (const harness of harnesses) {
  describe(`Tauri compatibility on the backend (${harness.name})`, () => {
    let app: App;
    let stop: () => Promise<void>;
    let connect: (label: string) => Promise<Client>;

    before(async () => {
      app = makeApp();
      ({ connect, stop } = await harness.start(app));
    });
    after(() => stop());

    test("rename camelCase: camelCase keys reach the handler in snake_case", async () => {
      const c = await connect("main");
      assert.deepEqual(await c.invoke("plain", { filePath: "/a", maxBytes: 1, name: "x" }), { file_path: "/a", max_bytes: 1, name: "x" });
      assert.deepEqual(await c.invoke("schema", { filePath: "/a", maxBytes: 2 }), { file_path: "/a", max_bytes: 2 });
      const err = await rejection(c.invoke("schema", { filePath: "/a" }));
      assert.equal(err.kind, "invalid_args");
    });

    test("rename snake_case per command keeps snake_case on the wire", async () => {
      const c = await connect("main");
      assert.deepEqual(await c.invoke("wire_snake", { file_path: "/b" }), { file_path: "/b" });
      assert.equal((await rejection(c.invoke("wire_snake", { filePath: "/b" }))).kind, "invalid_args");
      assert.deepEqual(await c.invoke("object_form", { filePath: "/c" }), { filePath: "/c" });
    });

    test("plugin commands keep their own names whatever the app's rename", async () => {
      const c = await connect("main");
      const unlisten = await c.listen("x", () => {});
      unlisten(); // plugin:event|unlisten takes `eventId`; renamed it would fail
      assert.equal(app.listenerCount("x"), 1, "until the unlisten arrives");
      await c.invoke("greet_missing").catch(() => {}); // one round trip: the unlisten went first
      assert.equal(app.listenerCount("x"), 0);
    });

    test("a thrown string or { kind, message } reaches the page as that value (failed, in data)", async () => {
      const c = await connect("main");
      const plain = await rejection(c.invoke("throws_string"));
      assert.equal(plain.kind, "failed");
      assert.equal(plain.message, "disk is full");
      assert.equal(plain.data, "disk is full");
      const typed = await rejection(c.invoke("throws_shape"));
      assert.equal(typed.kind, "failed");
      assert.equal(typed.message, "no such user");
      assert.deepEqual(typed.data, { kind: "NotFound", message: "no such user", data: { id: 7 } });
      const internal = await rejection(c.invoke("throws_error"));
      assert.equal(internal.kind, "internal");
      assert.doesNotMatch(internal.message, /secret/);
    });

    test("emit_to: the App target reaches backend listeners only; labels only their window", async () => {
      const main = await connect("main");
      const other = await connect("other");
      const backend: BackendEvent[] = [];
      const stopBackend = app.listen("t", (e) => backend.push(e));
      const seen: [string, unknown][] = [];
      await main.listen("t", (e) => seen.push(["main", e.payload]));
      await other.listen("t", (e) => seen.push(["other", e.payload]));
      await main.emitTo({ kind: "App" }, "t", "to-app");
      await main.emitTo({ kind: "Window", label: "other" }, "t", "to-other");
      await main.emitTo({ kind: "Webview", label: "main" }, "t", "to-main");
      await main.emitTo({ kind: "Any" }, "t", "to-all");
      // Events to a page follow the invoke's reply on the same connection: wait for the last one.
      while (seen.filter(([, p]) => p === "to-all").length < 2) await new Promise((r) => setImmediate(r));
      stopBackend();
      assert.deepEqual(backend, [
        { event: "t", payload: "to-app", window: "main" },
        { event: "t", payload: "to-all", window: "main" },
      ]);
      assert.deepEqual(
        seen.filter(([w]) => w === "main").map(([, p]) => p),
        ["to-main", "to-all"],
      );
      assert.deepEqual(
        seen.filter(([w]) => w === "other").map(([, p]) => p),
        ["to-other", "to-all"],
      );
    });

    test("listen checks its target; a bad target is invalid_args", async () => {
      const c = await connect("main");
      await c.listen("t2", () => {}, { target: { kind: "WebviewWindow", label: "main" } });
      await c.listen("t2", () => {}, { target: "main" });
      const err = await rejection(c.invoke("plugin:event|listen", { event: "t2", target: { kind: "Nowhere" }, handler: 99 }));
      assert.equal(err.kind, "invalid_args");
    });
  });
}
