/**
 * Issue 9, finding 2: `npm start` handed the browser a one-time launch URL in the arguments
 * of `xdg-open` and of the browser; a process watching /proc redeemed it first and got the
 * window's token. Now the opener gets the `file://` path of a page only the user can read
 * (0600, in a fresh 0700 folder under $XDG_RUNTIME_DIR), which holds the token and goes
 * away once the page connects, on close, at exit, and after a timeout. A watcher reads
 * every process's cmdline and environ while `npm start` opens the browser through a fake
 * opener, and finds neither the token nor anything to redeem.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { allowAll, createApp } from "ferry";
import { serveWs } from "ferry/transports/ws";
import { createClient } from "ferry/client";
import { wsClientTransport } from "ferry/client/node";
import { until } from "../support/wait.ts";
import { tempDir } from "./helpers.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const serverScript = join(repo, "examples/tutorial/server.ts");

/** Reads /proc/<pid>/cmdline and environ of every process, pass after pass, until stopped. */
function watchProc() {
  const texts = new Set<string>();
  let passes = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const pid of readdirSync("/proc")) {
        if (!/^\d+$/.test(pid)) continue;
        for (const file of ["cmdline", "environ"]) {
          try {
            const text = readFileSync(`/proc/${pid}/${file}`, "latin1").replaceAll("\0", " ");
            if (text) texts.add(text);
          } catch {
            // The process exited between the listing and the read, or its environ is not readable.
          }
        }
      }
      passes++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  return {
    texts,
    get passes() {
      return passes;
    },
    saw: (needle: string) => [...texts].some((t) => t.includes(needle)),
    async stop() {
      running = false;
      await loop;
    },
  };
}

const mode = (path: string) => statSync(path).mode & 0o7777;

test("npm start opens the browser through a 0600 file: no process's arguments or environment hold the token or a link", async () => {
  const dir = await tempDir("launch");
  const runtime = join(dir, "runtime");
  mkdirSync(runtime, { mode: 0o700 });
  const argsFile = join(dir, "opener-args");
  const release = join(dir, "release");
  // The fake opener records its arguments, then waits until the watcher has seen it in /proc.
  const opener = join(dir, "fake-opener");
  writeFileSync(
    opener,
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${argsFile}.tmp" && mv "${argsFile}.tmp" "${argsFile}"\n` +
      `while [ ! -e "${release}" ]; do sleep 0.01; done\n`,
  );
  chmodSync(opener, 0o755);
  // The same script as xdg-open on PATH, so code that ignores FERRY_OPENER is watched too.
  mkdirSync(join(dir, "bin"));
  symlinkSync(opener, join(dir, "bin", "xdg-open"));

  const watcher = watchProc();
  const child = spawn(process.execPath, ["--import", "tsx", serverScript, "--port", "0"], {
    cwd: repo,
    // No display: this is the system-browser path (the app-window path is test/e2e/windows.test.ts).
    env: {
      ...process.env,
      DISPLAY: "",
      WAYLAND_DISPLAY: "",
      FERRY_OPENER: opener,
      PATH: `${join(dir, "bin")}:${process.env.PATH}`,
      XDG_RUNTIME_DIR: runtime,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  try {
    await until(() => existsSync(argsFile), `the opener to run; output so far:\n${out}`, 20_000);
    await until(() => watcher.saw(opener), "the watcher to see the opener's process");
    const before = watcher.passes;
    await until(() => watcher.passes > before + 2, "a few more passes over /proc");
    writeFileSync(release, "");
    await until(() => out.includes("opened in your browser"), "the server to report the browser opened");
    const port = /ferry tutorial app on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]!;

    // Nothing anyone could redeem: no link to this server (a launch link, a page URL). Only
    // this run's port and token are looked for: other ferry runs on the machine are not ours.
    for (const text of watcher.texts) {
      for (const bad of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
        assert.ok(!text.includes(bad), `a process's cmdline or environ holds ${bad}: ${text.slice(0, 300)}`);
      }
    }
    assert.equal((await fetch(`http://127.0.0.1:${port}/__ferry/launch/${"0".repeat(32)}`)).status, 404, "no launch links");

    const args = readFileSync(argsFile, "utf8").trim().split("\n");
    assert.equal(args.length, 1);
    assert.match(args[0]!, /^file:\/\//, "the opener gets a file URL");
    const file = fileURLToPath(args[0]!);
    assert.equal(dirname(dirname(file)), runtime, "in a fresh folder under $XDG_RUNTIME_DIR");
    assert.equal(mode(file), 0o600);
    assert.equal(mode(dirname(file)), 0o700);
    assert.equal(statSync(file).uid, process.getuid!());
    const page = /http:\/\/127\.0\.0\.1:\d+\/#ferry-token=([0-9a-f]{64})/.exec(readFileSync(file, "utf8"));
    assert.ok(page, "the file opens the page with the token in its fragment");
    const token = page[1]!;
    for (const text of watcher.texts) assert.ok(!text.includes(token), "no process's cmdline or environ holds the token");
    assert.ok(!out.includes(token), "nor does the server's output");

    // The page connects with what the file gave it; then the file and its folder are gone.
    const client = createClient(wsClientTransport(`ws://127.0.0.1:${port}/__ferry/ws`, { token, origin: `http://127.0.0.1:${port}` }));
    assert.equal(await client.invoke("greet", { name: "file" }), "Hello, file!");
    await until(() => !existsSync(dirname(file)), "the launch file to be deleted once the page connected");
    client.close();
  } finally {
    await watcher.stop();
    child.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(await exited, 0);
});

test("a launch file goes after its timeout, with a revoke, on close, and at process exit", async () => {
  const saved = process.env.XDG_RUNTIME_DIR;
  delete process.env.XDG_RUNTIME_DIR;
  const server = await serveWs(createApp({ authorize: allowAll, log: () => {} }), { windows: ["main", "other"], log: () => {} });
  try {
    const timed = await server.launchFile("main", { ttlMs: 20 });
    assert.equal(dirname(dirname(timed.path)), tmpdir(), "without $XDG_RUNTIME_DIR: a fresh folder in the temp folder");
    assert.equal(mode(timed.path), 0o600);
    assert.equal(mode(dirname(timed.path)), 0o700);
    const kept = await server.launchFile("main", { ttlMs: 0 });
    const other = await server.launchFile("other", { ttlMs: 0 });
    await until(() => !existsSync(dirname(timed.path)), "the timed file to be deleted");
    assert.equal(timed.removed, true);

    server.revoke("other");
    assert.equal(existsSync(dirname(other.path)), false, "revoking the window deletes its file: its token is dead");
    assert.equal(existsSync(kept.path), true);
    await server.close();
    assert.equal(existsSync(dirname(kept.path)), false, "closing the server deletes what is left");
  } finally {
    if (saved !== undefined) process.env.XDG_RUNTIME_DIR = saved;
    await server.close();
  }

  // A process that exits without closing its server leaves nothing behind either.
  const script = `import { allowAll, createApp } from "ferry";
import { serveWs } from "ferry/transports/ws";
const server = await serveWs(createApp({ authorize: allowAll, log: () => {} }), { log: () => {} });
const file = await server.launchFile("main", { ttlMs: 0 });
console.log(file.path);
process.exit(0);`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: repo,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  assert.equal(await new Promise((r) => child.once("exit", r)), 0);
  const path = out.trim();
  assert.match(path, /open\.html$/);
  assert.equal(existsSync(dirname(path)), false, "deleted at process exit");
});
