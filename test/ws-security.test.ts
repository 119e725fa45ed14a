/**
 * The ws transport's door: loopback binding, the token/Host/Origin handshake, frame
 * limits and malformed frames, and the HTTP side's file serving rules.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { networkInterfaces } from "node:os";
import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as netConnect } from "node:net";
import WebSocket from "ws";
import { allowAll, createApp } from "ferry";
import { serveWs, tokenProtocols, type FerryServer } from "ferry/transports/ws";

interface Opened {
  ws: WebSocket;
  messages: string[];
  /** The close code and reason, once closed. */
  closed: Promise<[number, string]>;
}

function open(url: string, opts: { protocols?: string[]; origin?: string; headers?: Record<string, string> }): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols ?? [], {
      ...(opts.origin ? { origin: opts.origin } : {}),
      ...(opts.headers ? { headers: opts.headers } : {}),
      perMessageDeflate: false,
    });
    const messages: string[] = [];
    const closed = new Promise<[number, string]>((r) => ws.once("close", (code, reason) => r([code, reason.toString()])));
    // Messages sent in one tick arrive coalesced as a JSON array: flatten to one entry each.
    ws.on("message", (d) => {
      const text = d.toString();
      const parsed: unknown = JSON.parse(text);
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) messages.push(JSON.stringify(m));
    });
    ws.once("open", () => resolve({ ws, messages, closed }));
    ws.once("unexpected-response", (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    ws.once("error", reject);
  });
}

async function refusedWith(p: Promise<Opened>): Promise<number> {
  try {
    const { ws } = await p;
    ws.close();
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
  assert.fail("the handshake should have been refused");
}

function httpGet(
  port: number,
  path: string,
  host = `127.0.0.1:${port}`,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

function nextMessage(o: Opened, count = 1): Promise<string[]> {
  return new Promise((resolve) => {
    const check = () =>
      o.messages.length >= count ? resolve(o.messages.splice(0, count)) : o.ws.once("message", () => setImmediate(check));
    check();
  });
}

describe("ws transport: the handshake", () => {
  let server: FerryServer;
  let root: string;
  const refusals: string[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "ferry-root-"));
    await writeFile(join(root, "index.html"), "<!doctype html><title>app</title>");
    await writeFile(join(root, ".env"), "SECRET=1");
    await mkdir(join(root, "sub"));
    await writeFile(join(root, "sub", "page.ts"), "const x: number = 1; export default x;");
    await writeFile(join(root, "..", "ferry-outside.txt"), "outside");
    await symlink(join(root, "..", "ferry-outside.txt"), join(root, "escape.txt"));
    const app = createApp({
      commands: { greet: ({ name }: { name: string }) => `Hello, ${name}!` },
      maxFrameBytes: 64 * 1024,
      authorize: allowAll,
    });
    server = await serveWs(app, { root, windows: ["main"], log: (m) => refusals.push(m) });
  });
  after(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  const good = () => ({ protocols: tokenProtocols(server.window("main").token), origin: server.origin });

  test("the right token, Host and Origin connect and can invoke", async () => {
    const o = await open(server.wsUrl, good());
    assert.equal(o.ws.protocol, "ferry.v1");
    o.ws.send(JSON.stringify({ t: "i", id: 1, cmd: "greet", a: { name: "Ada" } }));
    assert.deepEqual(JSON.parse((await nextMessage(o))[0]!), { t: "r", id: 1, v: "Hello, Ada!" });
    o.ws.close();
  });

  test("a wrong, missing or too short token gets a socket closed at once with 4401, and no answer", async () => {
    /** Opens with a bad token, sends a call anyway, and returns the close. */
    const closedWith = async (url: string, opts: Parameters<typeof open>[1]) => {
      const o = await open(url, opts);
      o.ws.send(JSON.stringify({ t: "i", id: 1, cmd: "greet", a: { name: "Eve" } }));
      const [code, reason] = await o.closed;
      assert.deepEqual(o.messages, [], "nothing is answered on a socket without a valid token");
      return `${code} ${reason}`;
    };
    const token = server.window("main").token;
    const unknown = "4401 unknown window token";
    assert.equal(await closedWith(server.wsUrl, { ...good(), protocols: tokenProtocols("0".repeat(64)) }), unknown);
    assert.equal(await closedWith(server.wsUrl, { ...good(), protocols: ["ferry.v1"] }), unknown);
    assert.equal(await closedWith(server.wsUrl, { ...good(), protocols: [] }), unknown);
    assert.equal(await closedWith(server.wsUrl, { ...good(), protocols: tokenProtocols(token.slice(0, 16)) }), unknown);
    // The token in the query string is not how ferry reads it.
    assert.equal(await closedWith(`${server.wsUrl}?token=${token}`, { origin: server.origin, protocols: ["ferry.v1"] }), unknown);
    assert.ok(refusals.some((r) => r.includes("unknown or revoked window token")));
    assert.ok(!refusals.some((r) => r.includes(token.slice(0, 16))), "the log never holds a token");
  });

  test("a foreign or missing Origin is refused with 403, even with the right token", async () => {
    assert.equal(await refusedWith(open(server.wsUrl, { ...good(), origin: "https://evil.example" })), 403);
    assert.equal(await refusedWith(open(server.wsUrl, { ...good(), origin: `http://127.0.0.1:${server.port + 1}` })), 403);
    assert.equal(await refusedWith(open(server.wsUrl, { protocols: good().protocols })), 403);
    assert.ok(refusals.some((r) => r.includes("Origin")));
  });

  test("a forged Host header (DNS rebinding) is refused with 403 on the socket and on HTTP", async () => {
    assert.equal(await refusedWith(open(server.wsUrl, { ...good(), headers: { Host: `evil.example:${server.port}` } })), 403);
    assert.equal((await httpGet(server.port, "/", `evil.example:${server.port}`)).status, 403);
    assert.equal((await httpGet(server.port, "/", `localhost:${server.port}`)).status, 200);
  });

  test("tokens are bound to labels: each window's token gives its own label", async () => {
    const app = createApp({ commands: { whoami: (_a, c) => c.window }, authorize: allowAll });
    const s = await serveWs(app, { windows: ["main", "settings"], log: () => {} });
    const results: string[] = [];
    for (const label of ["settings", "main"]) {
      const o = await open(s.wsUrl, { protocols: tokenProtocols(s.window(label).token), origin: s.origin });
      o.ws.send(JSON.stringify({ t: "i", id: 1, cmd: "whoami", a: { window: "admin" } }));
      results.push(JSON.parse((await nextMessage(o))[0]!).v);
      o.ws.close();
    }
    assert.deepEqual(results, ["settings", "main"]);
    assert.notEqual(s.window("main").token, s.window("settings").token);
    assert.ok(s.window("main").token.length >= 32, "at least 128 bits of hex");
    await s.close();
  });

  test("binds loopback only: not reachable on the machine's other addresses", async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === "IPv4");
    if (!external) return; // no non-loopback interface on this machine: nothing else to reach
    const reached = await new Promise<boolean>((resolve) => {
      const sock = netConnect({ host: external.address, port: server.port });
      sock.once("connect", () => {
        sock.destroy();
        resolve(true);
      });
      sock.once("error", () => resolve(false));
    });
    assert.equal(reached, false, `port ${server.port} answered on ${external.address}`);
  });

  test("a malformed frame gets a protocol error; the connection and others go on", async () => {
    const a = await open(server.wsUrl, good());
    const b = await open(server.wsUrl, good());
    a.ws.send("{ not json");
    a.ws.send(JSON.stringify({ t: "zz" }));
    a.ws.send(JSON.stringify({ t: "i", id: 7 }));
    a.ws.send(Buffer.from([0, 0, 0, 99, 1, 2]));
    const replies = (await nextMessage(a, 4)).map((m) => JSON.parse(m));
    assert.deepEqual(
      replies.map((r) => [r.t, r.e.kind]),
      [
        ["x", "protocol"],
        ["x", "protocol"],
        ["f", "protocol"],
        ["x", "protocol"],
      ],
    );
    assert.equal(replies[2].id, 7);
    for (const o of [a, b]) {
      o.ws.send(JSON.stringify({ t: "i", id: 2, cmd: "greet", a: { name: "still here" } }));
      assert.equal(JSON.parse((await nextMessage(o))[0]!).v, "Hello, still here!");
      o.ws.close();
    }
  });

  test("an oversized frame closes that connection with 1009; others are unaffected", async () => {
    const big = await open(server.wsUrl, good());
    const other = await open(server.wsUrl, good());
    const closed = new Promise<number>((r) => big.ws.once("close", (code) => r(code)));
    big.ws.send("x".repeat(65 * 1024));
    assert.equal(await closed, 1009);
    other.ws.send(JSON.stringify({ t: "i", id: 1, cmd: "greet", a: { name: "B" } }));
    assert.equal(JSON.parse((await nextMessage(other))[0]!).v, "Hello, B!");
    other.ws.close();
  });

  test("a flood of protocol errors closes the connection with 1002", async () => {
    const o = await open(server.wsUrl, good());
    const closed = new Promise<number>((r) => o.ws.once("close", (code) => r(code)));
    for (let i = 0; i < 40; i++) o.ws.send("garbage");
    assert.equal(await closed, 1002);
  });

  test("HTTP serves the app's files, transforms .ts, and refuses dotfiles, traversal and symlink escapes", async () => {
    assert.equal((await httpGet(server.port, "/")).body, "<!doctype html><title>app</title>");
    const ts = await httpGet(server.port, "/sub/page.ts");
    assert.equal(ts.status, 200);
    assert.match(String(ts.headers["content-type"]), /javascript/);
    assert.doesNotMatch(ts.body, /: number/);
    for (const path of ["/.env", "/%2e%2e/ferry-outside.txt", "/sub/..%2f..%2fferry-outside.txt", "/escape.txt", "/missing"]) {
      const res = await httpGet(server.port, path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.body, /outside|SECRET/, path);
    }
    const client = await httpGet(server.port, "/__ferry/client.js");
    assert.equal(client.status, 200);
    assert.match(client.body, /export\{/);
  });
});
