/**
 * The browser modules stay small: the ferry client (invoke + listen + Channel) within
 * 5 KB minified and gzipped, and the Tauri bridge a separate module that reuses it.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The browser modules as the package ships and serves them. */
const shipped = (name: string): string => readFileSync(fileURLToPath(import.meta.resolve(`ferry/browser/${name}`)), "utf8");
const clientModule = () => shipped("client.js");
const tauriModule = () => shipped("tauri.js");

test("the client is at most 5 KB min+gz", async () => {
  const size = gzipSync(clientModule()).byteLength;
  assert.ok(size <= 5 * 1024, `client.js is ${size} bytes gzipped`);
});

test("the Tauri bridge imports the client by URL instead of bundling a second copy", async () => {
  const bridge = tauriModule();
  assert.match(bridge, /from"\/__ferry\/client\.js"/);
  assert.doesNotMatch(bridge, /plugin:event\|unlisten",\{event/, "the client's own unlisten code is not inside");
  const size = gzipSync(bridge).byteLength;
  assert.ok(size <= 2 * 1024, `tauri.js is ${size} bytes gzipped`);
});
