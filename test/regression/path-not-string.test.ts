/**
 * Regression: a path like `{ toString: 1 }` made the fs plugin's error handler throw while
 * formatting its message, so the page got `internal` instead of `invalid_args`.
 */

import { test } from "node:test";
import { fsWindow, rejectsWith, tempDir } from "./helpers.ts";

test("a malformed path is invalid_args for every command", async () => {
  const root = await tempDir("path-arg");
  const { app, fsCall } = fsWindow(["fs:read-all", "fs:write-all", { identifier: "fs:scope", allow: ["$ROOT/**"] }], {
    variables: { ROOT: root },
  });
  try {
    for (const path of [{ toString: 1 }, { toString: 1, valueOf: 1 }, {}, 42, null, [root]]) {
      for (const cmd of ["read_text_file", "read_file", "exists", "stat", "read_dir", "mkdir", "remove"]) {
        await rejectsWith(fsCall(cmd, { path }), "invalid_args");
      }
      await rejectsWith(fsCall("write_text_file", { path, data: "x" }), "invalid_args");
    }
  } finally {
    app.close();
  }
});
