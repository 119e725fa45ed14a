/**
 * Regression: deny patterns never matched hidden names, so `"$ROOT/**\/*.pem"` did not deny
 * `.certs/server.pem` and `"$ROOT/work/*"` did not deny `work/.secret` once a dialog pick
 * had allowed the folder. Deny entries now match names starting with `.` too.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fsWindow, rejectsWith, tempDir } from "./helpers.ts";

test("deny entries match hidden components; allow entries still do not", async () => {
  const root = await tempDir("dotdeny");
  try {
    await mkdir(join(root, "work/.certs"), { recursive: true });
    await mkdir(join(root, "work/certs"), { recursive: true });
    await writeFile(join(root, "work/.certs/server.pem"), "hidden key");
    await writeFile(join(root, "work/certs/server.pem"), "key");
    await writeFile(join(root, "work/.secret"), "hidden");
    await writeFile(join(root, "work/notes.txt"), "notes");
    const { app, fs, fsCall } = fsWindow(
      ["fs:read-all", { identifier: "fs:scope", deny: ["$ROOT/**/*.pem", "$ROOT/work/.*", "$ROOT/work/*.secret"] }],
      { variables: { ROOT: root } },
    );
    try {
      fs.allowPath("w", join(root, "work"), { recursive: true }); // what a picked folder grants
      assert.equal(await fsCall("read_text_file", { path: join(root, "work/notes.txt") }), "notes");
      await rejectsWith(fsCall("read_text_file", { path: join(root, "work/certs/server.pem") }), "permission_denied");
      await rejectsWith(fsCall("read_text_file", { path: join(root, "work/.certs/server.pem") }), "permission_denied");
      await rejectsWith(fsCall("read_text_file", { path: join(root, "work/.secret") }), "permission_denied");
    } finally {
      app.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
