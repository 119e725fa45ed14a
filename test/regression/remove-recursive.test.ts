/**
 * Regression: a recursive `remove` checked only the top path, then deleted the whole tree,
 * including descendants the scope denies or never allowed (hidden entries).
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fsWindow, rejectsWith, tempDir } from "./helpers.ts";

test("recursive remove refuses the whole call when any descendant is denied or not allowed", async () => {
  const root = await tempDir("remove");
  try {
    await mkdir(join(root, "proj/secret"), { recursive: true });
    await mkdir(join(root, "proj/.git"), { recursive: true });
    await mkdir(join(root, "proj/open/deeper"), { recursive: true });
    await mkdir(join(root, "outside"));
    await writeFile(join(root, "proj/secret/key.txt"), "KEY");
    await writeFile(join(root, "proj/.git/config"), "cfg");
    await writeFile(join(root, "proj/a.txt"), "a");
    await writeFile(join(root, "proj/open/deeper/b.txt"), "b");
    await writeFile(join(root, "outside/keep.txt"), "keep");
    await symlink(join(root, "outside"), join(root, "proj/open/link"));
    const { app, fsCall } = fsWindow(
      ["fs:read-all", "fs:write-all", { identifier: "fs:scope", allow: ["$ROOT/proj/**"], deny: ["$ROOT/proj/secret/**"] }],
      { variables: { ROOT: root } },
    );
    try {
      // The denied subtree: nothing at all is removed.
      await rejectsWith(fsCall("remove", { path: join(root, "proj"), options: { recursive: true } }), "permission_denied");
      assert.ok(existsSync(join(root, "proj/secret/key.txt")));
      assert.ok(existsSync(join(root, "proj/a.txt")));
      await rm(join(root, "proj/secret"), { recursive: true });
      // A hidden entry `$ROOT/proj/**` never allowed: still refused.
      await rejectsWith(fsCall("remove", { path: join(root, "proj"), options: { recursive: true } }), "permission_denied");
      assert.ok(existsSync(join(root, "proj/.git/config")));
      // A tree the window may wholly touch goes; a link in it is removed, not followed.
      await fsCall("remove", { path: join(root, "proj/open"), options: { recursive: true } });
      assert.ok(!existsSync(join(root, "proj/open")));
      assert.ok(existsSync(join(root, "outside/keep.txt")));
    } finally {
      app.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
