/**
 * Regression: page-supplied dialog text was pasted into a PowerShell script between single
 * quotes, and PowerShell also closes a string at U+2018–U+201B, so a title could run code.
 * Now every page value reaches PowerShell as an environment variable, AppleScript as an
 * item of `argv`, and kdialog as `--name=value` or after `--`. Stand-in programs (real
 * executables) record what they were given.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dialogPlugin } from "ferry/plugins/dialog";
import type { PluginContext } from "ferry";
import { tempDir } from "./helpers.ts";

let dir: string;
let bin: string;
const HOSTILE = 'x\u2019; Start-Process calc; \u2018\' \u201a \u201b"; do shell script "id" --help';

before(async () => {
  dir = await tempDir("dialog-inject");
  bin = join(dir, "bin");
  await mkdir(bin);
  // Records argv and the FERRY_* environment as JSON, then exits 1 (the user cancelled).
  const recorder = [
    `#!${process.execPath}`,
    `const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("FERRY_")));`,
    `require("node:fs").writeFileSync(${JSON.stringify(join(dir, "record.json"))}, JSON.stringify({ args: process.argv.slice(2), env }));`,
    `process.exit(1);`,
  ].join("\n");
  for (const name of ["powershell.exe", "osascript", "kdialog"]) {
    await writeFile(join(bin, name), recorder);
    await chmod(join(bin, name), 0o755);
  }
});

after(() => rm(dir, { recursive: true, force: true }));

const ctx = () => ({ window: "w", signal: new AbortController().signal }) as unknown as PluginContext;
const record = async (): Promise<{ args: string[]; env: Record<string, string> }> =>
  JSON.parse(await readFile(join(dir, "record.json"), "utf8"));

test("PowerShell: titles, messages and filters travel in $env:FERRY_*, never in the script", async () => {
  const dialog = dialogPlugin({ env: { PATH: bin }, platform: "win32" });
  assert.equal(await dialog.commands.confirm({ message: HOSTILE, title: HOSTILE }, ctx()), false);
  let { args, env } = await record();
  let script = args.at(-1)!;
  assert.equal(args.at(-2), "-Command");
  assert.ok(!script.includes("Start-Process") && !/[\u2018-\u201b]/.test(script), script);
  assert.match(script, /\$env:FERRY_DIALOG_MESSAGE/);
  assert.equal(env.FERRY_DIALOG_MESSAGE, HOSTILE);
  assert.equal(env.FERRY_DIALOG_TITLE, HOSTILE);

  assert.equal(await dialog.commands.open({ options: { title: HOSTILE, filters: [{ name: HOSTILE, extensions: ["txt"] }] } }, ctx()), null);
  ({ args, env } = await record());
  script = args.at(-1)!;
  assert.ok(!script.includes("Start-Process") && !/[\u2018-\u201b]/.test(script), script);
  assert.match(script, /\$d\.Title = \$env:FERRY_DIALOG_TITLE/);
  assert.equal(env.FERRY_DIALOG_TITLE, HOSTILE);
  assert.ok(env.FERRY_DIALOG_FILTER?.includes("Start-Process calc") && env.FERRY_DIALOG_FILTER.endsWith("|*.txt"));
});

test("osascript: page text is an item of argv, after a fixed first operand", async () => {
  const dialog = dialogPlugin({ env: { PATH: bin }, platform: "darwin" });
  assert.equal(await dialog.commands.ask({ message: HOSTILE, title: "-e" }, ctx()), false);
  const { args } = await record();
  assert.equal(args[0], "-e");
  assert.ok(!args[1]!.includes("do shell script"), args[1]);
  assert.match(args[1]!, /^on run argv\n/);
  assert.deepEqual(args.slice(2), ["ferry", "Yes", "No", "-e", HOSTILE]);
});

test("kdialog: values starting with '-' are never options", async () => {
  const dialog = dialogPlugin({ env: { PATH: bin, DISPLAY: ":0" }, platform: "linux" });
  assert.equal(await dialog.commands.open({ options: { title: "--help", defaultPath: "--version" } }, ctx()), null);
  let { args } = await record();
  assert.deepEqual(args, ["--getopenfilename", "--title=--help", "--", "--version"]);
  assert.equal(await dialog.commands.message({ message: "--passivepopup", kind: "error" }, ctx()), "Ok");
  ({ args } = await record());
  assert.deepEqual(args, ["--error=--passivepopup"]);
});
