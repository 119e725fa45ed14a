/**
 * Issue 9, finding 6: a refused upgrade, a server that is down and a dropped connection all
 * read "could not connect (wrong token, origin or host?)". Now each says what happened, in
 * the `connection_closed` error's message and data (`code`, `opened`): a bad token is
 * accepted and closed with 4401; a server that is not reachable (or refused Host/Origin
 * before the upgrade) closes with 1006 before open; a connection that dies closes with 1006
 * after open. Over real sockets to a backend in a child process that is killed for real,
 * from the Node client and from a page in Chromium.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FerryError } from "ferry";
import { createClient } from "ferry/client";
import { wsClientTransport, type WsClientOptions } from "ferry/client/node";
import { launchChromium } from "../support/browser.ts";
import { rejection } from "../support/wait.ts";
import { spawnBackend } from "../support/spawn-backend.ts";

const fixture = fileURLToPath(new URL("../support/child-backend.ts", import.meta.url));

interface Backend {
  child: ChildProcess;
  exited: Promise<unknown>;
  origin: string;
  wsUrl: string;
  token: string;
}

async function startBackend(): Promise<Backend> {
  const { child, exited, info } = await spawnBackend<{ origin: string; wsUrl: string; token: string }>(fixture);
  return { child, exited, ...info };
}

/** What a test needs of a `connection_closed` error: its kind, message and data. */
interface Closed {
  kind: string;
  message: string;
  data: { code: number; reason: string; opened: boolean };
}

const shape = (e: FerryError): Closed => ({ kind: e.kind, message: e.message, data: e.data as Closed["data"] });

/** The rejection of one call over a fresh Node client. */
async function nodeCall(url: string, options: WsClientOptions, cmd = "greet", args: Record<string, unknown> = { name: "x" }) {
  const client = createClient(wsClientTransport(url, options));
  return shape(await rejection(client.invoke(cmd, args)));
}

const UNREACHABLE = /^server not reachable \(or it refused the handshake: Host\/Origin\) \(1006/;
const BAD_TOKEN = /^window token refused \(revoked, or from an earlier run\): reopen the app \(4401: unknown window token\)$/;
const DROPPED = /^connection dropped \(1006\)$/;

let backend: Backend | undefined;
let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;

before(async () => {
  chromium = await launchChromium();
});
after(async () => {
  backend?.child.kill("SIGKILL");
  await chromium?.close();
});

test("Node client: bad token, refused Origin, dropped connection and a server that is down each say so", { timeout: 30_000 }, async () => {
  backend = await startBackend();
  const { wsUrl, origin, token } = backend;

  const badToken = await nodeCall(wsUrl, { token: "ab".repeat(32), origin });
  assert.equal(badToken.kind, "connection_closed");
  assert.deepEqual(badToken.data, { code: 4401, reason: "unknown window token", opened: true });
  assert.match(badToken.message, BAD_TOKEN);

  const refused = await nodeCall(wsUrl, { token, origin: "https://evil.example" });
  assert.equal(refused.kind, "connection_closed");
  assert.deepEqual([refused.data.code, refused.data.opened], [1006, false]);
  assert.match(refused.data.reason, /403/, "the Node client knows the HTTP status");
  assert.match(refused.message, UNREACHABLE);

  const live = createClient(wsClientTransport(wsUrl, { token, origin }));
  assert.equal(await live.invoke("greet", { name: "Ada" }), "Hello, Ada!");
  const inFlight = live.invoke("hang");
  backend.child.kill("SIGKILL");
  const dropped = shape(await rejection(inFlight));
  assert.equal(dropped.kind, "connection_closed");
  assert.deepEqual(dropped.data, { code: 1006, reason: "", opened: true });
  assert.match(dropped.message, DROPPED);

  await backend.exited;
  const down = await nodeCall(wsUrl, { token, origin });
  assert.equal(down.kind, "connection_closed");
  assert.deepEqual([down.data.code, down.data.opened], [1006, false]);
  assert.match(down.data.reason, /ECONNREFUSED/);
  assert.match(down.message, UNREACHABLE);
});

test("Chromium page: bad token, dropped connection and a server that is down each say so", { timeout: 60_000 }, async () => {
  backend = await startBackend();
  const { origin, token } = backend;
  const page = await chromium!.browser.newPage();
  await page.goto(`${origin}/`);
  // Strings, not functions: tsx would wrap a function's inner names in a helper the page lacks.
  const settle = `.then(() => null, (e) => ({ kind: e.kind, message: e.message, data: e.data }))`;
  await page.evaluate(`import("/__ferry/client.js").then((m) => { window.ferry = m; })`);

  const badToken = (await page.evaluate(
    `ferry.connect({ token: "${"ab".repeat(32)}" }).invoke("greet", { name: "x" })${settle}`,
  )) as Closed;
  assert.equal(badToken.kind, "connection_closed");
  assert.deepEqual(badToken.data, { code: 4401, reason: "unknown window token", opened: true });
  assert.match(badToken.message, BAD_TOKEN);

  await page.evaluate(`(async () => {
    const live = ferry.connect({ token: "${token}" });
    await live.invoke("greet", { name: "Ada" });
    window.pending = live.invoke("hang")${settle};
  })()`);
  backend.child.kill("SIGKILL");
  await backend.exited;
  const dropped = (await page.evaluate("window.pending")) as Closed;
  assert.equal(dropped.kind, "connection_closed");
  assert.deepEqual(dropped.data, { code: 1006, reason: "", opened: true });
  assert.match(dropped.message, DROPPED);

  // The page keeps trying to connect; the call rejects after `connectTimeout` (default 10 s).
  const down = (await page.evaluate(
    `ferry.connect({ token: "${token}", connectTimeout: 300 }).invoke("greet", { name: "x" })${settle}`,
  )) as Closed;
  assert.equal(down.kind, "connection_closed");
  assert.deepEqual(down.data, { code: 1006, reason: "no connection within 300 ms", opened: false });
  assert.match(down.message, UNREACHABLE);
  await page.close();
});
