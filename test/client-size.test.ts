/**
 * The browser modules stay small: the ferry client (invoke + listen + Channel) within
 * 5 KB minified and gzipped. The Tauri bridge (`tauri.js`) is one self-contained script,
 * the client and `window.__TAURI__` (the bundled `@tauri-apps/api`) included, so it runs as a
 * classic script; its bundled packages' licences ship beside it.
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

test("the Tauri bridge is one script with no import or export, and its bundled licences ship beside it", async () => {
  const bridge = tauriModule();
  assert.doesNotMatch(bridge, /\bimport\s*[{*"'(]|\bexport\s*[{*]|from"\//, "a classic script cannot import");
  assert.match(bridge, /^\/\*! ferry's Tauri bridge\. Bundles @tauri-apps\/api \d+\.\d+\.\d+/);
  const licences = readFileSync(fileURLToPath(new URL("tauri.js.LICENSES.txt", import.meta.resolve("ferry/browser/tauri.js"))), "utf8");
  for (const name of ["@tauri-apps/api", "@tauri-apps/plugin-dialog", "@tauri-apps/plugin-fs"]) {
    assert.ok(licences.includes(`${name} `), `${name}'s licence ships`);
  }
  assert.match(licences, /Apache License/);
  assert.match(licences, /MIT License|Permission is hereby granted/);
  const size = gzipSync(bridge).byteLength;
  // The client (~5 KB) plus Tauri's API and two plugins' guest code.
  assert.ok(size <= 24 * 1024, `tauri.js is ${size} bytes gzipped`);
});
