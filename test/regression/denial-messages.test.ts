/**
 * Regression: denials named where an out-of-scope path resolves (symlink targets, the
 * backend's cwd via /proc/self/cwd, its open files via /proc/self/fd) and where link loops
 * are. Outside dev mode a denial now names only the path the page sent.
 *
 * Regression: a mistyped command got a did-you-mean drawn from every registered command,
 * so a window learnt the names of commands it may not call; and an unusable fs deny entry
 * was quoted to the page. Outside dev mode suggestions are drawn from the commands the
 * window may call, and a denial shows no scope entry.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { openSync, closeSync } from "node:fs";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createApp } from "ferry";
import { connectMemory } from "ferry/transports/memory";
import { AccessControl } from "ferry/acl";
import { createClient } from "ferry/client";
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

/** A window "w" granted only `greet`, in an app that also registers `secret_cmd`. */
function greetOnly(dev: boolean) {
  const commands = { greet: () => "hi", secret_cmd: () => "launch codes" };
  const access = new AccessControl({
    commands: Object.keys(commands),
    capabilities: [{ identifier: "w", windows: ["w"], permissions: ["allow-greet"] }],
  });
  const app = createApp({ commands, authorize: access.authorize, log: () => {}, dev });
  return { app, w: createClient(connectMemory(app, "w")) };
}

test("did-you-mean outside dev mode names only commands the window may call", async () => {
  const { app, w } = greetOnly(false);
  try {
    const err = await rejectsWith(w.invoke("secret_cmdd"), "command_not_found");
    assert.deepEqual(err.data, { command: "secret_cmdd" }, "no suggestion of a command the window may not call");
    assert.ok(!err.message.includes('"secret_cmd"'), err.message);
    // A command it may call is still suggested.
    const typo = await rejectsWith(w.invoke("gret"), "command_not_found");
    assert.deepEqual(typo.data, { command: "gret", suggestion: "greet" });
  } finally {
    app.close();
  }
  // Dev mode keeps the richer hint: the developer then sees the permission_denied and how to grant it.
  const dev = greetOnly(true);
  try {
    const err = await rejectsWith(dev.w.invoke("secret_cmdd"), "command_not_found");
    assert.deepEqual(err.data, { command: "secret_cmdd", suggestion: "secret_cmd" });
  } finally {
    dev.app.close();
  }
});

test("fs denials outside dev mode show no configured scope entry", async () => {
  const root = await tempDir("scopecfg");
  try {
    await mkdir(join(root, "allowed"));
    await writeFile(join(root, "allowed/a.txt"), "a");
    await writeFile(join(root, "outside.txt"), "o");
    const permissions = [
      "fs:read-all",
      { identifier: "fs:scope", allow: ["$ROOT/allowed/**"], deny: ["$ROOT/allowed/private-pattern-*", "$NOPE/hidden-entry/**"] },
    ];
    const prod = fsWindow(permissions, { variables: { ROOT: root } });
    try {
      // The unusable deny entry ($NOPE) refuses every path; the page is told so, but not which entry.
      for (const path of [join(root, "allowed/a.txt"), join(root, "outside.txt")]) {
        const err = await rejectsWith(prod.fsCall("read_text_file", { path }), "permission_denied");
        const text = err.message + JSON.stringify(err.data ?? {});
        for (const config of ["NOPE", "hidden-entry", "private-pattern", "$ROOT", "allowed/**"]) {
          assert.ok(!text.includes(config), `${path}: ${text} shows ${config}`);
        }
      }
    } finally {
      prod.app.close();
    }
    const dev = fsWindow(permissions, { variables: { ROOT: root } }, true);
    try {
      const err = await rejectsWith(dev.fsCall("read_text_file", { path: join(root, "allowed/a.txt") }), "permission_denied");
      assert.match(err.message, /unusable deny entry.*\$NOPE\/hidden-entry/);
    } finally {
      dev.app.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
