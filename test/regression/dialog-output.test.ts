/**
 * Regression: a dialog's output was split on newlines and every line was granted, so
 * picking a folder named "evil\n<victim path>" granted <victim path> recursively. A single
 * pick is now the whole output; several are split on a random token (or, for kdialog,
 * newlines with ambiguous output refused); only absolute, existing paths are granted.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createApp } from "ferry";
import { connectMemory } from "ferry/transports/memory";
import { AccessControl } from "ferry/acl";
import { fsPlugin } from "ferry/plugins/fs";
import { dialogPlugin } from "ferry/plugins/dialog";
import { createClient } from "ferry/client";
import { rejectsWith, tempDir } from "./helpers.ts";

let root: string;
let bin: string;

before(async () => {
  root = await tempDir("dialog-output");
  bin = join(root, "bin");
  await mkdir(bin);
  // zenity and kdialog stand-ins: print the file `pick` as it is, exit 0.
  for (const name of ["zenity", "kdialog"]) {
    await mkdir(join(bin, name === "zenity" ? "z" : "k"));
    const program = join(bin, name === "zenity" ? "z" : "k", name);
    await writeFile(
      program,
      `#!${process.execPath}\nprocess.stdout.write(require("node:fs").readFileSync(${JSON.stringify(join(root, "pick"))}, "utf8"));\n`,
    );
    await chmod(program, 0o755);
  }
  await mkdir(join(root, "victim/.ssh"), { recursive: true });
  await writeFile(join(root, "victim/.ssh/id_ed25519"), "PRIVATE");
  await writeFile(join(root, "victim/notes.txt"), "notes");
});

after(() => rm(root, { recursive: true, force: true }));

function setup(program: "z" | "k") {
  const fs = fsPlugin();
  const dialog = dialogPlugin({ fs, env: { PATH: join(bin, program), DISPLAY: ":0" }, platform: "linux" });
  const access = new AccessControl({
    commands: [],
    plugins: [fs, dialog],
    capabilities: [{ identifier: "w", windows: ["w"], permissions: ["fs:read-all", "dialog:default"] }],
  });
  const app = createApp({ plugins: [fs, dialog], authorize: access.authorize, log: () => {} });
  return { app, w: createClient(connectMemory(app, "w")) };
}

const pick = (text: string) => writeFile(join(root, "pick"), text);

test("a picked name containing a newline grants that one path, not each line", async () => {
  const crafted = join(root, `dl/evil\n${root}/victim`);
  await mkdir(crafted, { recursive: true });
  await writeFile(join(crafted, "inside.txt"), "inside");
  const { app, w } = setup("z");
  try {
    await pick(`${crafted}\n`);
    assert.equal(await w.invoke("plugin:dialog|open", { options: { directory: true } }), crafted);
    assert.equal(await w.invoke("plugin:fs|read_text_file", { path: join(crafted, "inside.txt") }), "inside");
    await rejectsWith(w.invoke("plugin:fs|read_text_file", { path: join(root, "victim/.ssh/id_ed25519") }), "permission_denied");
    await rejectsWith(w.invoke("plugin:fs|read_text_file", { path: join(root, "victim/notes.txt") }), "permission_denied");
  } finally {
    app.close();
  }
});

test("output that is not absolute existing paths, or too many for the mode, grants nothing", async () => {
  const { app, w } = setup("z");
  try {
    for (const out of [
      "relative/notes.txt\n",
      `${join(root, "victim/missing.txt")}\n`,
      `${join(root, "victim/notes.txt")}\n${join(root, "victim/.ssh/id_ed25519")}\n`,
      "\n",
    ]) {
      await pick(out);
      await rejectsWith(w.invoke("plugin:dialog|open", {}), "dialog_unavailable");
    }
    await rejectsWith(w.invoke("plugin:fs|read_text_file", { path: join(root, "victim/notes.txt") }), "permission_denied");
    await rejectsWith(w.invoke("plugin:fs|read_text_file", { path: join(root, "victim/.ssh/id_ed25519") }), "permission_denied");
  } finally {
    app.close();
  }
});

test("kdialog's newline-separated picks are refused when lines joined name a real path", async () => {
  const crafted = join(root, `k/evil\n${root}/victim/notes.txt`);
  await mkdir(join(crafted, ".."), { recursive: true });
  await writeFile(crafted, "bait");
  await writeFile(join(root, "k/evil"), "also here");
  const { app, w } = setup("k");
  try {
    await pick(`${crafted}\n`);
    await rejectsWith(w.invoke("plugin:dialog|open", { options: { multiple: true } }), "dialog_unavailable");
    await rejectsWith(w.invoke("plugin:fs|read_text_file", { path: join(root, "victim/notes.txt") }), "permission_denied");
    await pick(`${join(root, "k/evil")}\n${join(root, "victim/notes.txt")}\n`);
    await rm(crafted);
    assert.deepEqual(await w.invoke("plugin:dialog|open", { options: { multiple: true } }), [
      join(root, "k/evil"),
      join(root, "victim/notes.txt"),
    ]);
  } finally {
    app.close();
  }
});
