/**
 * The dialog plugin with a stand-in `zenity` on PATH (a real executable script): picked
 * paths join the picking window's fs scope and no other; no display or no dialog program
 * gives `dialog_unavailable`.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, FerryError } from "ferry";
import { connectMemory } from "ferry/transports/memory";
import { AccessControl } from "ferry/acl";
import { fsPlugin } from "ferry/plugins/fs";
import { dialogPlugin } from "ferry/plugins/dialog";
import { createClient } from "ferry/client";

let dir: string;
let bin: string;

before(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "ferry-dialog-")));
  bin = join(dir, "bin");
  await mkdir(bin);
  // Prints what `pick` holds (with <SEP> replaced by the --separator it was given) and exits
  // with what `exit` holds; records its arguments, one per line.
  await writeFile(
    join(bin, "zenity"),
    [
      `#!${process.execPath}`,
      `const fs = require("node:fs");`,
      `const args = process.argv.slice(2);`,
      `fs.writeFileSync(${JSON.stringify(join(bin, "args"))}, args.map((a) => a + "\\n").join(""));`,
      `const sep = (args.find((a) => a.startsWith("--separator=")) ?? "--separator=|").slice("--separator=".length);`,
      `process.stdout.write(fs.readFileSync(${JSON.stringify(join(bin, "pick"))}, "utf8").replaceAll("<SEP>", sep));`,
      `process.exitCode = Number(fs.readFileSync(${JSON.stringify(join(bin, "exit"))}, "utf8"));`,
    ].join("\n") + "\n",
  );
  await chmod(join(bin, "zenity"), 0o755);
  await mkdir(join(dir, "docs/inner"), { recursive: true });
  await writeFile(join(dir, "docs/a.txt"), "A");
  await writeFile(join(dir, "docs/b.txt"), "B");
  await writeFile(join(dir, "docs/inner/c.txt"), "C");
});

after(() => rm(dir, { recursive: true, force: true }));

function setup(env: NodeJS.ProcessEnv) {
  const fs = fsPlugin();
  const dialog = dialogPlugin({ fs, env, platform: "linux" });
  const grant = ["dialog:default", "fs:allow-read-text-file", "fs:allow-write-text-file"];
  const access = new AccessControl({
    commands: [],
    plugins: [fs, dialog],
    capabilities: [{ identifier: "both", windows: ["main", "other"], permissions: grant }],
  });
  const app = createApp({ plugins: [fs, dialog], authorize: access.authorize, log: () => {} });
  return { app, main: createClient(connectMemory(app, "main")), other: createClient(connectMemory(app, "other")) };
}

const pick = async (out: string, code = 0) => {
  await writeFile(join(bin, "pick"), out);
  await writeFile(join(bin, "exit"), String(code));
};

test("open adds the picked file to the picking window's scope only", async () => {
  const { app, main, other } = setup({ PATH: bin, DISPLAY: ":0" });
  try {
    const file = join(dir, "docs/a.txt");
    await assert.rejects(
      main.invoke("plugin:fs|read_text_file", { path: file }),
      (e: unknown) => e instanceof FerryError && e.kind === "permission_denied",
    );
    await pick(`${file}\n`);
    assert.equal(
      await main.invoke("plugin:dialog|open", { options: { title: "Pick one", filters: [{ name: "Text", extensions: ["txt"] }] } }),
      file,
    );
    const args = await readFile(join(bin, "args"), "utf8");
    assert.match(args, /--file-selection\n--title=Pick one\n--file-filter=Text \| \*\.txt/);
    assert.equal(await main.invoke("plugin:fs|read_text_file", { path: file }), "A");
    await assert.rejects(
      main.invoke("plugin:fs|read_text_file", { path: join(dir, "docs/b.txt") }),
      (e: unknown) => e instanceof FerryError && e.kind === "permission_denied",
    );
    await assert.rejects(
      other.invoke("plugin:fs|read_text_file", { path: file }),
      (e: unknown) => e instanceof FerryError && e.kind === "permission_denied",
    );
  } finally {
    app.close();
  }
});

test("a picked directory grants what is under it; save grants the new file; cancel is null", async () => {
  const { app, main } = setup({ PATH: bin, DISPLAY: ":0" });
  try {
    await pick(`${join(dir, "docs/inner")}\n`);
    assert.equal(await main.invoke("plugin:dialog|open", { options: { directory: true } }), join(dir, "docs/inner"));
    assert.match(await readFile(join(bin, "args"), "utf8"), /--directory/);
    assert.equal(await main.invoke("plugin:fs|read_text_file", { path: join(dir, "docs/inner/c.txt") }), "C");
    await assert.rejects(main.invoke("plugin:fs|read_text_file", { path: join(dir, "docs/a.txt") }));

    const target = join(dir, "docs/new.txt");
    await pick(`${target}\n`);
    assert.equal(await main.invoke("plugin:dialog|save", {}), target);
    assert.match(await readFile(join(bin, "args"), "utf8"), /--save/);
    await main.invoke("plugin:fs|write_text_file", { path: target, data: "saved" });
    assert.equal(await readFile(target, "utf8"), "saved");

    await pick(`${join(dir, "docs/a.txt")}<SEP>${join(dir, "docs/b.txt")}\n`);
    assert.deepEqual(await main.invoke("plugin:dialog|open", { options: { multiple: true } }), [
      join(dir, "docs/a.txt"),
      join(dir, "docs/b.txt"),
    ]);

    await pick("", 1);
    assert.equal(await main.invoke("plugin:dialog|open", {}), null);
    assert.equal(await main.invoke("plugin:dialog|save", {}), null);
  } finally {
    app.close();
  }
});

test("no display, or no dialog program, is a clear dialog_unavailable error", async () => {
  for (const [env, why] of [
    [{ PATH: bin }, /no graphical display/],
    [{ PATH: join(dir, "docs"), DISPLAY: ":0" }, /neither zenity nor kdialog is installed/],
  ] as const) {
    const { app, main } = setup(env);
    try {
      await assert.rejects(main.invoke("plugin:dialog|open", {}), (e: unknown) => {
        assert.ok(e instanceof FerryError);
        assert.equal(e.kind, "dialog_unavailable");
        assert.match(e.message, why);
        return true;
      });
    } finally {
      app.close();
    }
  }
});

test("message with plugin-dialog 2.x buttons resolves the pressed button's name", async () => {
  const { app, main } = setup({ PATH: bin, DISPLAY: ":0" });
  const args = async () => (await readFile(join(bin, "args"), "utf8")).split("\n").filter(Boolean);
  const message = (buttons: unknown) => main.invoke("plugin:dialog|message", { message: "Go?", kind: "info", buttons });
  try {
    await pick("", 0);
    assert.equal(await message("OkCancel"), "Ok");
    assert.deepEqual((await args()).slice(0, 3), ["--question", "--ok-label=Ok", "--cancel-label=Cancel"]);
    assert.equal(await message("YesNo"), "Yes");
    assert.equal(await message({ OkCancelCustom: ["Send", "Keep editing"] }), "Send");
    assert.equal(await message({ OkCustom: "Got it" }), "Got it");
    assert.deepEqual((await args()).slice(0, 2), ["--info", "--ok-label=Got it"]);
    await pick("", 1);
    assert.equal(await message("OkCancel"), "Cancel");
    assert.equal(await message("YesNo"), "No");
    assert.equal(await message({ OkCancelCustom: ["Send", "Keep editing"] }), "Keep editing");
    // Three buttons: zenity's extra button (the middle one) prints its label and exits 1.
    assert.equal(await message("YesNoCancel"), "Cancel");
    assert.deepEqual((await args()).slice(0, 4), ["--question", "--ok-label=Yes", "--cancel-label=Cancel", "--extra-button=No"]);
    await pick("Don't save\n", 1);
    assert.equal(await message({ YesNoCancelCustom: ["Save", "Don't save", "Cancel"] }), "Don't save");
    await pick("", 0);
    assert.equal(await message({ YesNoCancelCustom: ["Save", "Don't save", "Cancel"] }), "Save");
    await assert.rejects(
      message("Maybe"),
      (e: unknown) => e instanceof FerryError && e.kind === "invalid_args" && /buttons must be/.test(e.message),
    );
    await assert.rejects(message({ OkCancelCustom: ["only one"] }), (e: unknown) => e instanceof FerryError && e.kind === "invalid_args");
  } finally {
    app.close();
  }
});

test("message, ask and confirm: the button pressed is the exit status", async () => {
  const { app, main } = setup({ PATH: bin, DISPLAY: ":0" });
  try {
    await pick("", 0);
    // plugin-dialog 2.0's message (no buttons): one button, "Ok" (2.0's page ignores the value).
    assert.equal(await main.invoke("plugin:dialog|message", { message: "Saved <b>", title: "Notes", kind: "warning" }), "Ok");
    assert.deepEqual((await readFile(join(bin, "args"), "utf8")).split("\n").slice(0, 4), [
      "--warning",
      "--ok-label=Ok",
      "--text=Saved <b>",
      "--no-markup",
    ]);
    assert.equal(await main.invoke("plugin:dialog|ask", { message: "Delete?", yesButtonLabel: "Delete", noButtonLabel: "Keep" }), true);
    assert.match(await readFile(join(bin, "args"), "utf8"), /--question\n--ok-label=Delete\n--cancel-label=Keep\n--text=Delete\?/);
    await pick("", 1);
    assert.equal(await main.invoke("plugin:dialog|confirm", { message: "Sure?" }), false);
    await assert.rejects(
      main.invoke("plugin:dialog|ask", { message: 42 }),
      (e: unknown) => e instanceof FerryError && e.kind === "invalid_args",
    );
  } finally {
    app.close();
  }
});
