/**
 * `npm start` as a user runs it: with --no-window the tutorial server prints the URL with
 * the window token to a terminal, and elsewhere (a pipe, a log) the path of a 0600 file
 * that holds it; it serves the page, answers invokes on it, honours --port, and refuses
 * bad flags clearly.
 */

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "ferry/client";
import { wsClientTransport } from "ferry/client/node";
import { until } from "./support/wait.ts";

const serverScript = fileURLToPath(new URL("../examples/tutorial/server.ts", import.meta.url));
const TOKEN_URL = /http:\/\/127\.0\.0\.1:\d+\/#ferry-token=[0-9a-f]+/;

/**
 * Runs the tutorial server; `printed` resolves with the first line after "open this …:".
 * `tty` runs it under script(1), so its stdout is a terminal.
 */
function start(args: string[], options: { tty?: boolean; env?: Record<string, string> } = {}) {
  const command = [process.execPath, "--import", "tsx", serverScript, ...args];
  const [file, argv] = options.tty ? ["script", ["-qfec", command.join(" "), "/dev/null"]] : [command[0]!, command.slice(1)];
  const child = spawn(file, argv, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const printed = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const m = /open this (?:URL|file) [^\n]*:\r?\n([^\r\n]+)\r?\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before printing where to open it:\n${out}\n${err}`)));
  });
  printed.catch(() => {}); // tests that expect an early exit never await it
  return { child, printed, exited, output: () => out + err };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

test("--no-window prints the token only to a terminal; to a pipe, a 0600 file that opens the page", async () => {
  const runtime = await mkdtemp(join(tmpdir(), "ferry-runtime-"));
  after(() => rm(runtime, { recursive: true, force: true }));
  const env = { XDG_RUNTIME_DIR: runtime };
  const onTerminal = start(["--no-window"], { tty: true, env });
  try {
    assert.match(await onTerminal.printed, TOKEN_URL, "a terminal gets the URL");
    assert.deepEqual(await readdir(runtime), [], "and no file is written");
  } finally {
    onTerminal.child.kill("SIGTERM");
  }
  await onTerminal.exited;

  const port = await freePort();
  const run = start(["--no-window", "--port", String(port)], { env });
  try {
    const path = await run.printed;
    assert.doesNotMatch(run.output(), /ferry-token|#/, "a pipe never gets the token");
    assert.equal(dirname(dirname(path)), runtime);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const url = new URL(TOKEN_URL.exec(await readFile(path, "utf8"))![0]);
    assert.equal(url.port, String(port));
    const token = url.hash.replace("#ferry-token=", "");
    assert.ok(token.length >= 32);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /ferry tutorial/);
    const transport = wsClientTransport(`ws://127.0.0.1:${port}/__ferry/ws`, { token, origin: url.origin });
    await transport.opened;
    const client = createClient(transport);
    assert.equal(await client.invoke("greet", { name: "CLI" }), "Hello, CLI!");
    await until(() => !existsSync(path), "the file to be deleted once the page connected");
    client.close();
  } finally {
    run.child.kill("SIGTERM");
  }
  assert.equal(await run.exited, 0);
});

test("a bad --port is refused with a usage line; a busy port says so", async () => {
  const bad = start(["--no-window", "--port", "seventy"]);
  assert.equal(await bad.exited, 2);
  assert.match(bad.output(), /--port must be 0\.\.65535/);

  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
  const port = (busy.address() as { port: number }).port;
  const clash = start(["--no-window", "--port", String(port)]);
  assert.equal(await clash.exited, 1);
  assert.match(clash.output(), new RegExp(`port ${port} is in use`));
  await new Promise((r) => busy.close(r));
});

test("without a display or a browser, npm start says which and how to fix it, then opens the system browser", async () => {
  const cases = [
    {
      env: { DISPLAY: "", WAYLAND_DISPLAY: "" },
      why: /no app window: no display \(neither DISPLAY nor WAYLAND_DISPLAY is set\); run it from a desktop session/,
    },
    {
      env: { DISPLAY: ":404", FERRY_BROWSER: "/nonexistent/chrome" },
      why: /no app window: FERRY_BROWSER=\/nonexistent\/chrome is not an executable file/,
    },
  ];
  for (const c of cases) {
    const s = start([], { env: { ...c.env, FERRY_OPENER: "/bin/true" } });
    await until(() => s.output().includes("opened in your browser"), `the fallback (output: ${s.output()})`, 15_000);
    assert.match(s.output(), c.why);
    s.child.kill("SIGTERM");
    assert.equal(await s.exited, 0);
  }
});
