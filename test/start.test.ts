/**
 * `npm start` as a user runs it: the tutorial server prints a URL with the window token,
 * serves the page, answers invokes on it, honours --port, and refuses bad flags clearly.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { createClient } from "ferry/client";
import { wsClientTransport } from "ferry/client/node";

const serverScript = fileURLToPath(new URL("../examples/tutorial/server.ts", import.meta.url));

function start(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", serverScript, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const m = /http:\/\/127\.0\.0\.1:\d+\/#ferry-token=[0-9a-f]+/.exec(out);
      if (m) resolve(m[0]);
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before printing a URL:\n${out}\n${err}`)));
  });
  url.catch(() => {}); // tests that expect an early exit never await the URL
  return { child, url, exited, output: () => out + err };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

test("--no-window prints the URL with the token; the page and invokes work through it", async () => {
  const port = await freePort();
  const run = start(["--no-window", "--port", String(port)]);
  try {
    const url = new URL(await run.url);
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
