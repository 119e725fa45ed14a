/**
 * Every command the published plugin-fs guest code calls (current and 2.0.x) is one ferry's fs
 * plugin answers: read from the packages' own `dist-js`, so a new plugin-fs release that adds a
 * command fails here until ferry has it.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fsPlugin } from "ferry/plugins/fs";

const require = createRequire(import.meta.url);

async function invoked(pkg: string): Promise<string[]> {
  const source = await readFile(require.resolve(pkg), "utf8");
  return [...new Set([...source.matchAll(/invoke\(\s*['"]plugin:fs\|([a-z_]+)['"]/g)].map((m) => m[1]!))].sort();
}

for (const pkg of ["@tauri-apps/plugin-fs", "tauri-plugin-fs-2-0"]) {
  test(`ferry's fs plugin answers every command ${pkg} calls`, async () => {
    const calls = await invoked(pkg);
    assert.ok(calls.length >= 20, `found ${calls.length} commands in ${pkg}`);
    const commands = Object.keys(fsPlugin().commands);
    assert.deepEqual(
      calls.filter((c) => !commands.includes(c)),
      [],
    );
  });
}
