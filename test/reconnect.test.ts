/**
 * Issue 14: a page survives a backend restart. The backend keeps its window tokens in a dev
 * token file (0600, `tokenFile`), so the restarted backend accepts the open page; the page's
 * client connects again on its own, its listeners hear events again, and the call in flight
 * when the backend died rejects with `connection_closed`. Real child processes killed for
 * real, a real Chromium page.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { allowAll, createApp } from "ferry";
import { devTokenFile, serveWs } from "ferry/transports/ws";
import { appDirs } from "ferry/config";
import { launchChromium } from "./support/browser.ts";
import { eventually } from "./support/wait.ts";
import { spawnBackend } from "./support/spawn-backend.ts";

const fixture = fileURLToPath(new URL("./support/restartable-backend.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ferry-reconnect-"));
const tokenFile = join(dir, "cache", "ferry", "dev-tokens.json");

interface Backend {
  child: ChildProcess;
  exited: Promise<unknown>;
  origin: string;
  port: number;
  token: string;
}

async function startBackend(version: string, port = 0): Promise<Backend> {
  const env = { PORT: String(port), BACKEND_VERSION: version, FERRY_DEV_TOKEN_FILE: tokenFile };
  const { child, exited, info } = await spawnBackend<{ origin: string; port: number; token: string }>(fixture, env);
  return { child, exited, ...info };
}

let backend: Backend | undefined;
let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;

before(async () => {
  chromium = await launchChromium();
});
after(async () => {
  backend?.child.kill("SIGKILL");
  await chromium?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a page reconnects after a backend restart: same token, listeners again, in-flight call rejected", { timeout: 60_000 }, async () => {
  backend = await startBackend("v1");
  const { origin, port, token } = backend;
  assert.equal(statSync(tokenFile).mode & 0o777, 0o600, "the dev token file is 0600");
  assert.equal(statSync(join(dir, "cache", "ferry")).mode & 0o777, 0o700);

  const page = await chromium!.browser.newPage();
  await page.goto(`${origin}/#ferry-token=${token}`);
  // Strings, not functions: tsx would wrap a function's inner names in a helper the page lacks.
  await page.evaluate(`(async () => {
    const ferry = await import("/__ferry/client.js");
    window.c = ferry.client();
    window.states = [];
    window.pings = [];
    c.onstatechange = (s) => states.push(s);
    await c.listen("ping", (e) => pings.push(e.payload));
    window.v1 = await c.invoke("version");
    await c.invoke("ping");
    window.pending = c.invoke("hang").then(() => null, (e) => ({ kind: e.kind, data: e.data }));
  })()`);
  assert.equal(await page.evaluate("v1"), "v1");
  await eventually(async () => ((await page.evaluate("pings.length")) as number) === 1, "the first ping");

  backend.child.kill("SIGKILL");
  await backend.exited;
  const inFlight = (await page.evaluate("pending")) as { kind: string; data: { code: number; opened: boolean } };
  assert.deepEqual(inFlight, { kind: "connection_closed", data: { code: 1006, reason: "", opened: true } });
  assert.equal(await page.evaluate("c.state"), "reconnecting");

  backend = await startBackend("v2", port);
  assert.equal(backend.token, token, "the restarted backend kept the window's token");
  // The page's next call waits for the new connection and gets the new backend's answer.
  assert.equal(await page.evaluate(`c.invoke("version")`), "v2");
  assert.equal(await page.evaluate("c.state"), "connected");
  assert.deepEqual(await page.evaluate("states"), ["reconnecting", "connected"]);
  // The listener registered before the restart hears an event emitted after it.
  await eventually(async () => {
    await page.evaluate(`c.invoke("ping")`);
    return ((await page.evaluate("pings")) as string[]).includes("v2");
  }, "the ping after the restart");
  await page.close();
});

test(
  "a call that cannot reach the backend rejects within connectTimeout, saying why; listen rejects too",
  { timeout: 30_000 },
  async () => {
    const page = await chromium!.browser.newPage();
    backend?.child.kill("SIGKILL");
    await backend?.exited;
    const b = await startBackend("v3");
    await page.goto(`${b.origin}/`);
    await page.evaluate(`import("/__ferry/client.js").then((m) => { window.ferry = m; })`);
    b.child.kill("SIGKILL");
    await b.exited;
    const settle = `.then(() => null, (e) => ({ kind: e.kind, message: e.message, data: e.data }))`;
    const result = (await page.evaluate(`(async () => {
    const c = ferry.connect({ token: "${b.token}", connectTimeout: 200 });
    return Promise.all([c.invoke("version")${settle}, c.listen("ping", () => {})${settle}, c.emit("ping")${settle}]);
  })()`)) as { kind: string; message: string }[];
    for (const r of result) {
      assert.equal(r.kind, "connection_closed");
      assert.match(r.message, /^server not reachable .*\(1006: no connection within 200 ms\)$/);
    }
    // Without a token, listen rejects (it never throws synchronously).
    const noToken = await page.evaluate(`(async () => {
    sessionStorage.clear();
    let sync = false;
    try { var p = ferry.listen("ping", () => {}); } catch { sync = true; }
    return { sync, error: await p${settle} };
  })()`);
    assert.deepEqual((noToken as { sync: boolean }).sync, false);
    assert.match((noToken as { error: { message: string } }).error.message, /no window token/);
    await page.close();
  },
);

test("the dev token file: kept per label, forgotten on revoke, refused when others can read it", async () => {
  const file = join(dir, "unit", "dev-tokens.json");
  const app = createApp({ authorize: allowAll, log: () => {}, commands: {} });
  const first = await serveWs(app, { tokenFile: file, log: () => {} });
  const main = first.window("main").token;
  const other = first.window("other").token;
  await first.close();
  const second = await serveWs(app, { tokenFile: file, log: () => {} });
  assert.equal(second.window("main").token, main);
  assert.equal(second.window("other").token, other);
  second.revoke("other");
  assert.notEqual(second.window("other").token, other, "a revoked token is not handed out again");
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(file, "utf8")) as object).sort(), ["main", "other"]);
  await second.close();

  chmodSync(file, 0o644);
  await assert.rejects(serveWs(app, { tokenFile: file, log: () => {} }), /refusing the dev token file .*mode 0600/);
  writeFileSync(file, "{}", { mode: 0o600 });
  chmodSync(file, 0o600);

  assert.equal(devTokenFile("dev.ferry.notes"), join(appDirs("dev.ferry.notes").appCache, "ferry", "dev-tokens.json"));
});
