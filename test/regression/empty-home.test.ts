/**
 * Regression: with `HOME=""` (set but empty) `$HOME` expanded to "" and `"$HOME/**"` became
 * `"/**"`, the whole filesystem. Empty values now count as unset, relative XDG_* values are
 * ignored, and a scope entry whose variable is empty is unusable (a deny entry fails closed).
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { posix, join, win32 } from "node:path";
import { defaultPathVariables } from "ferry/acl";
import { fsWindow, rejectsWith, tempDir } from "./helpers.ts";

const allAbsolute = (vars: Record<string, string>, platform = "linux") => {
  const path = platform === "win32" ? win32 : posix;
  for (const [name, dir] of Object.entries(vars)) assert.ok(dir !== "" && path.isAbsolute(dir), `$${name} = ${JSON.stringify(dir)}`);
};

test("empty HOME and empty or relative XDG_* values are unset, never '' or relative", () => {
  const saved = process.env.HOME;
  process.env.HOME = ""; // what os.homedir() falls back to reads the real environment
  try {
    const vars = defaultPathVariables({
      identifier: "com.example",
      env: { HOME: "", XDG_CONFIG_HOME: "rel/config", XDG_DATA_HOME: "", XDG_CACHE_HOME: "/abs/cache", XDG_RUNTIME_DIR: "" },
      platform: "linux",
    });
    allAbsolute(vars);
    assert.equal(vars.CACHE, "/abs/cache");
    assert.equal(vars.APPCACHE, "/abs/cache/com.example");
    assert.equal(vars.RUNTIME, undefined);
    for (const platform of ["darwin", "win32", "linux"] as const)
      allAbsolute(
        defaultPathVariables({ identifier: "x", env: { HOME: "", USERPROFILE: "", APPDATA: "", LOCALAPPDATA: "" }, platform }),
        platform,
      );
  } finally {
    process.env.HOME = saved;
  }
});

test("a scope entry whose variable is empty grants nothing, and as a deny entry refuses everything", async () => {
  const root = await tempDir("empty-home");
  try {
    const file = join(root, "f.txt");
    await writeFile(file, "F");
    const allow = fsWindow(["fs:allow-home-read-recursive"], { variables: { HOME: "" } });
    try {
      await rejectsWith(allow.fsCall("read_text_file", { path: file }), "permission_denied");
    } finally {
      allow.app.close();
    }
    const deny = fsWindow(["fs:read-all", { identifier: "fs:scope", allow: ["$ROOT/**"], deny: ["$SECRETS/**"] }], {
      variables: { ROOT: root, SECRETS: "" },
    });
    try {
      await rejectsWith(deny.fsCall("read_text_file", { path: file }), "permission_denied");
    } finally {
      deny.app.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
