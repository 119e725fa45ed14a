/**
 * The tutorial's capabilities over both transports: `main` gets what default.json grants,
 * `limited` less, and a window matching no capability can call nothing and hears nothing.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FerryError } from "ferry";
import { createTutorialApp } from "../../examples/tutorial/commands.ts";
import { harnesses } from "../support/transports.ts";

const isDenied = (window: string, command: string, grant: string) => (err: unknown) => {
  assert.ok(err instanceof FerryError, String(err));
  assert.equal(err.kind, "permission_denied");
  const data = err.data as { window: string; command: string; permissions: string[] };
  assert.equal(data.window, window);
  assert.equal(data.command, command);
  assert.ok(data.permissions.includes(grant), `${grant} in ${data.permissions}`);
  assert.ok(err.message.includes(grant) && err.message.includes(window) && err.message.includes(command), err.message);
  return true;
};

for (const h of harnesses) {
  describe(`tutorial capabilities over ${h.name}`, () => {
    test("main may do what default.json grants; limited may not read files", async () => {
      const dir = await mkdtemp(join(tmpdir(), "ferry-tutorial-"));
      const file = join(dir, "note.txt");
      await writeFile(file, "hello");
      const app = createTutorialApp({ log: () => {} });
      const server = await h.start(app);
      try {
        const main = await server.connect("main");
        const limited = await server.connect("limited");
        assert.equal(await main.invoke("read_file", { path: file }), "hello");
        assert.equal(await limited.invoke("greet", { name: "x" }), "Hello, x!");
        await assert.rejects(limited.invoke("read_file", { path: file }), isDenied("limited", "read_file", "allow-read-file"));
        await assert.rejects(limited.invoke("start_job"), isDenied("limited", "start_job", "allow-start-job"));
        // main holds fs:allow-read-text-file but no fs scope: the path is refused.
        await assert.rejects(
          main.invoke("plugin:fs|read_text_file", { path: file }),
          (e: unknown) => e instanceof FerryError && e.kind === "permission_denied" && /outside this window's fs scope/.test(e.message),
        );
        await assert.rejects(
          main.invoke("plugin:fs|write_text_file", { path: file, data: "x" }),
          isDenied("main", "plugin:fs|write_text_file", "fs:allow-write-text-file"),
        );
        // Outside dev mode the message stays short: no capability files.
        await limited.invoke("read_file", { path: file }).catch((e: FerryError) => assert.doesNotMatch(e.message, /\.json/));
      } finally {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      }
    });

    test("a window matching no capability can call nothing and receives no events", async () => {
      const app = createTutorialApp({ log: () => {} });
      const server = await h.start(app);
      try {
        const stranger = await server.connect("stranger");
        const main = await server.connect("main");
        await assert.rejects(stranger.invoke("greet", { name: "x" }), isDenied("stranger", "greet", "allow-greet"));
        await assert.rejects(
          stranger.listen("job-done", () => {}),
          isDenied("stranger", "plugin:event|listen", "core:event:allow-listen"),
        );
        await assert.rejects(stranger.emit("job-done"), isDenied("stranger", "plugin:event|emit", "core:event:allow-emit"));
        const heard: unknown[] = [];
        await main.listen("job-progress", (e) => heard.push(e.payload));
        app.emit("job-progress", 1);
        await main.invoke("greet", { name: "sync" }); // a round trip after the emit
        assert.deepEqual(heard, [1]);
        assert.equal(app.listenerCount("job-progress"), 1);
      } finally {
        await server.stop();
      }
    });

    test("dev mode names the capability files consulted", async () => {
      const app = createTutorialApp({ dev: true, log: () => {} });
      const server = await h.start(app);
      try {
        const limited = await server.connect("limited");
        await assert.rejects(limited.invoke("read_file", { path: "/x" }), (e: unknown) => {
          assert.ok(e instanceof FerryError && e.kind === "permission_denied");
          assert.match(e.message, /Capabilities consulted: limited \(capabilities\/limited\.json\)/);
          assert.deepEqual((e.data as { capabilities: unknown }).capabilities, [
            { identifier: "limited", file: "capabilities/limited.json" },
          ]);
          return true;
        });
      } finally {
        await server.stop();
      }
    });
  });
}
