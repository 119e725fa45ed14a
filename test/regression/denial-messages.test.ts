/**
 * Regression: denials named where an out-of-scope path resolves (symlink targets, the
 * backend's cwd via /proc/self/cwd, its open files via /proc/self/fd) and where link loops
 * are. Outside dev mode a denial now names only the path the page sent.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { openSync, closeSync } from "node:fs";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fsWindow, rejectsWith, tempDir } from "./helpers.ts";

test("denials outside dev mode reveal nothing about where a path leads", async () => {
  const root = await tempDir("leak");
  const fd = openSync(join(root, "secret-open-file.txt"), "w");
  try {
    await mkdir(join(root, "allowed"));
    await mkdir(join(root, "other"));
    await writeFile(join(root, "private-target"), "x");
    await symlink(join(root, "private-target"), join(root, "other/link"));
    await symlink(join(root, "other/loop"), join(root, "other/loop"));
    const permissions = ["fs:read-all", { identifier: "fs:scope", allow: ["$ROOT/allowed/**"] }];
    const probes = [
      join(root, "other/link"),
      join(root, "other/link/x"),
      "/proc/self/cwd/x",
      `/proc/self/fd/${fd}`,
      join(root, "other/loop"),
      join(root, "other/loop/x"),
    ];
    const prod = fsWindow(permissions, { variables: { ROOT: root } });
    try {
      for (const path of probes) {
        const err = await rejectsWith(prod.fsCall("exists", { path }), "permission_denied");
        const text = err.message + JSON.stringify(err.data ?? {});
        for (const secret of ["private-target", "secret-open-file", process.cwd(), "loop at", "resolves to"]) {
          assert.ok(!text.includes(secret), `${path}: ${text} reveals ${secret}`);
        }
      }
    } finally {
      prod.app.close();
    }
    // Dev mode keeps the details that help while writing capabilities.
    const dev = fsWindow(permissions, { variables: { ROOT: root } }, true);
    try {
      const err = await rejectsWith(dev.fsCall("exists", { path: join(root, "other/link") }), "permission_denied");
      assert.match(err.message, /resolves to .*private-target/);
    } finally {
      dev.app.close();
    }
  } finally {
    closeSync(fd);
    await rm(root, { recursive: true, force: true });
  }
});
