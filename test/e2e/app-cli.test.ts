/**
 * Issue 14: `ferry start` and `ferry dev` from the command line, on the dev-app fixture:
 * bad input is refused with a message that says what to fix, and `ferry start` serves the
 * built app from its backend entry — the page, opened from the launch file in a real
 * Chromium, gets the backend's answer.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeDevApp, repo } from "../support/dev-app.ts";
import { launchChromium } from "../support/browser.ts";
import { eventually } from "../support/wait.ts";

const work = mkdtempSync(join(tmpdir(), "ferry-app-cli-"));
const app = join(work, "app");
const env: NodeJS.ProcessEnv = {
  ...process.env,
  XDG_DATA_HOME: join(work, "data"),
  XDG_CACHE_HOME: join(work, "cache"),
  XDG_CONFIG_HOME: join(work, "config"),
};
delete env.DISPLAY;
delete env.WAYLAND_DISPLAY;
const ferry = (args: string[], cwd: string) =>
  spawnSync(process.execPath, [join(repo, "bin/ferry.mjs"), ...args], { cwd, env, encoding: "utf8", timeout: 120_000 });

let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
before(async () => {
  makeDevApp(app);
  chromium = await launchChromium();
});
after(async () => {
  await chromium?.close();
  rmSync(work, { recursive: true, force: true });
});

test("ferry dev and ferry start refuse what they cannot run, saying why", () => {
  const empty = join(work, "empty");
  mkdirSync(empty);
  for (const command of ["dev", "start"]) {
    const r = ferry([command], empty);
    assert.equal(r.status, 2, `${command}: ${r.stderr}`);
    assert.match(r.stderr, /no app config here: looked for ferry\.conf\.json/);
  }
  const badPort = ferry(["dev", "--port", "http"], app);
  assert.equal(badPort.status, 2);
  assert.match(badPort.stderr, /--port must be 0\.\.65535, got http\n.*usage: ferry check/s);

  const noEntry = join(work, "no-entry");
  makeDevApp(noEntry);
  writeFileSync(join(noEntry, "backend/main.ts"), "export default function setup() {}\n");
  const wrong = ferry(["start", "--no-window"], noEntry);
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /backend\/main\.ts: its default export must be defineBackend\(\(ctx\) => createApp\(\{ … \}\)\) from "ferry"/);
});

test("ferry start serves the built app from its backend entry", { timeout: 180_000 }, async () => {
  const build = spawnSync(process.execPath, [join(app, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "error"], {
    cwd: app,
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(build.status, 0, build.stderr);
  const child = spawn(process.execPath, [join(repo, "bin/ferry.mjs"), "start", "--no-window"], {
    cwd: app,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  try {
    // Not a terminal: the token goes to a launch file only this user can read, never to stdout.
    const file = await eventually(() => /only you can read it[^\n]*\n(\/\S+)/.exec(out)?.[1], `the launch file in:\n${out}`, 60_000);
    const page = await chromium!.browser.newPage();
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => document.title.startsWith("v=one "), null, { timeout: 30_000 });
    assert.match(await page.title(), /^v=one load=\w+ overlay=none label=a ticks=\d+$/);
    await page.close();
  } finally {
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  }
});
