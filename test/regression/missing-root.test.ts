/**
 * A `root` folder that does not exist yet (normal in dev before the first build) used to be
 * a rejected realpath nobody handled: the process ended right after printing its URL. Now
 * requests get a 404 that says so, and the folder is served once it appears.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "ferry";
import { serveWs } from "ferry/transports/ws";

test("serveWs with a root folder that does not exist yet serves 404s and lives (dev before the first build)", async () => {
  const crashes: unknown[] = [];
  const onCrash = (err: unknown) => crashes.push(err);
  process.on("unhandledRejection", onCrash);
  const dir = await mkdtemp(join(tmpdir(), "ferry-noroot-"));
  const root = join(dir, "dist");
  const server = await serveWs(createApp({ log: () => {} }), { root, windows: [], log: () => {} });
  try {
    const missing = await fetch(`${server.origin}/index.html`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /does not exist \(yet\)/);
    await mkdir(root);
    await writeFile(join(root, "index.html"), "built");
    assert.equal(await (await fetch(`${server.origin}/index.html`)).text(), "built", "served once it exists");
    assert.deepEqual(crashes, []);
  } finally {
    process.off("unhandledRejection", onCrash);
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
