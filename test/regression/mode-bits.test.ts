/**
 * Regression: `write_file`, `write_text_file` and `mkdir` passed a page's `mode` option to the
 * kernel as it came, so a page could create setuid, setgid or sticky files and directories
 * (the backend often runs as the user, sometimes as root). Now only the permission bits
 * (0o777) of a page's mode are used, and a mode that is not an integer from 0 to 0o177777 (a
 * `stat` mode, file type bits included) is `invalid_args` before anything is created.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { fsWindow, rejectsWith, tempDir } from "./helpers.ts";

const grants = ["fs:read-all", "fs:write-all", { identifier: "fs:scope", allow: ["$ROOT/**"] }];

test("a page's mode never sets setuid, setgid or sticky bits", async () => {
  const root = await tempDir("mode-bits");
  const { app, fsCall } = fsWindow(grants, { variables: { ROOT: root } });
  try {
    // 0o104755 is what `stat` reports for a setuid file: the type bits are ignored, as the kernel does.
    for (const mode of [0o6777, 0o7777, 0o104755]) {
      const made = [
        join(root, `bytes-${mode.toString(8)}`),
        join(root, `text-${mode.toString(8)}`),
        join(root, `dir-${mode.toString(8)}`),
        join(root, `deep-${mode.toString(8)}/a/b`),
      ];
      await fsCall("write_file", { path: made[0], data: new Uint8Array([1]), options: { mode } });
      await fsCall("write_text_file", { path: made[1], data: "x", options: { mode } });
      await fsCall("mkdir", { path: made[2], options: { mode } });
      await fsCall("mkdir", { path: made[3], options: { mode, recursive: true } });
      for (const path of made) {
        const s = await stat(path);
        assert.equal(s.mode & 0o7000, 0, `${path}: mode ${s.mode.toString(8)} has special bits`);
        assert.equal(s.mode & 0o700, 0o700, `${path}: the permission bits were applied`);
      }
    }
    // No mode (or null, as a Rust `Option` reads it) keeps the default.
    await fsCall("write_text_file", { path: join(root, "plain"), data: "x", options: { mode: null } });
    assert.equal((await stat(join(root, "plain"))).mode & 0o7111, 0);
  } finally {
    app.close();
    await rm(root, { recursive: true, force: true });
  }
});

test("a mode that is not an integer from 0 to 0o177777 is invalid_args, and nothing is created", async () => {
  const root = await tempDir("mode-invalid");
  const { app, fsCall } = fsWindow(grants, { variables: { ROOT: root } });
  try {
    for (const mode of [1.5, -1, 0o200000, 2 ** 32, "0644", "755", true, {}, [0o644]]) {
      const what = JSON.stringify(mode);
      const file = join(root, "f");
      await rejectsWith(fsCall("write_file", { path: file, data: new Uint8Array([1]), options: { mode } }), "invalid_args");
      await rejectsWith(fsCall("write_text_file", { path: file, data: "x", options: { mode } }), "invalid_args");
      assert.ok(!existsSync(file), `write with mode ${what} created the file`);
      await rejectsWith(fsCall("mkdir", { path: join(root, "d"), options: { mode } }), "invalid_args");
      assert.ok(!existsSync(join(root, "d")), `mkdir with mode ${what} created the directory`);
    }
  } finally {
    app.close();
    await rm(root, { recursive: true, force: true });
  }
});
