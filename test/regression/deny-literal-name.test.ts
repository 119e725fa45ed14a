/**
 * Regression: glob characters in real names acted only as globs, so a deny of
 * `$ROOT/secret[1].txt` denied `secret1.txt` and left the file literally named
 * `secret[1].txt` readable. Each component of a deny entry now also matches the name it
 * spells (fail closed); allow entries are unchanged.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fsWindow, rejectsWith, tempDir } from "./helpers.ts";

test("a deny entry denies the path it names literally as well as what its glob matches", async () => {
  const root = await tempDir("denylit");
  try {
    for (const dir of ["data[1]", "data1", "logs[x]/inner"]) await mkdir(join(root, dir), { recursive: true });
    const files = ["secret[1].txt", "secret1.txt", "secret2.txt", "data[1]/a.txt", "data1/a.txt", "logs[x]/inner/b.txt", "?.cfg", "a.cfg"];
    for (const f of files) await writeFile(join(root, f), f);
    const { app, fsCall } = fsWindow(
      [
        "fs:read-all",
        {
          identifier: "fs:scope",
          allow: ["$ROOT/**"],
          deny: ["$ROOT/secret[1].txt", "$ROOT/data[1]/*.txt", "$ROOT/logs[x]", "$ROOT/?.cfg"],
        },
      ],
      { variables: { ROOT: root } },
    );
    try {
      const read = (f: string) => fsCall("read_text_file", { path: join(root, f) });
      // Literally named: denied (the old code let each of these through).
      for (const f of ["secret[1].txt", "data[1]/a.txt", "logs[x]/inner/b.txt", "?.cfg"]) await rejectsWith(read(f), "permission_denied");
      // Matched by the glob: denied, as before.
      for (const f of ["secret1.txt", "data1/a.txt", "a.cfg"]) await rejectsWith(read(f), "permission_denied");
      // Neither: still readable.
      assert.equal(await read("secret2.txt"), "secret2.txt");
    } finally {
      app.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("allow entries do not gain literal matches", async () => {
  const root = await tempDir("allowlit");
  try {
    await writeFile(join(root, "grant[1].txt"), "literal");
    await writeFile(join(root, "grant1.txt"), "glob");
    const { app, fsCall } = fsWindow(["fs:read-all", { identifier: "fs:scope", allow: ["$ROOT/grant[1].txt"] }], {
      variables: { ROOT: root },
    });
    try {
      assert.equal(await fsCall("read_text_file", { path: join(root, "grant1.txt") }), "glob");
      await rejectsWith(fsCall("read_text_file", { path: join(root, "grant[1].txt") }), "permission_denied");
    } finally {
      app.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
