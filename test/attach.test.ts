/**
 * ferry mounted on an existing http.Server (attachWs): the program's own routes and
 * upgrades keep working, ferry's upgrade keeps serveWs's checks (Host, Origin, token), its
 * client modules are served through handleRequest, and a server that is not on loopback
 * gets no ferry connection at all.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import type { FerryError } from "ferry";
import { allowAll, createApp } from "ferry";
import { attachWs } from "ferry/transports/ws";
import { connectWs } from "ferry/client/node";

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

/** The close code (or HTTP refusal) a raw WebSocket gets. */
function outcome(url: string, protocols: string[], origin: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols, { origin });
    ws.once("unexpected-response", (_req, res) => {
      resolve(`http ${res.statusCode}`);
      ws.terminate();
    });
    ws.once("close", (code) => resolve(`close ${code}`));
    ws.once("error", () => {});
  });
}

test("attachWs on an app's own server: its routes and upgrades stay, ferry's keep their checks", async () => {
  const app = createApp({ authorize: allowAll, commands: { greet: ({ name }: { name: string }) => `Hello, ${name}!` }, log: () => {} });
  const logs: string[] = [];
  let ferry: ReturnType<typeof attachWs> | undefined;
  const server = createServer((req, res) => {
    if (ferry?.handleRequest(req, res)) return;
    res.end(`app route ${req.url}`);
  });
  ferry = attachWs(app, server, { log: (m) => logs.push(m) });
  const other = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if (req.url === "/other") other.handleUpgrade(req, socket, head, (ws) => ws.send("other ok"));
  });
  const port = await listen(server, "127.0.0.1");
  const origin = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}/__ferry/ws`;
  try {
    const { token } = ferry.window("main");
    const client = await connectWs(wsUrl, { token, origin });
    assert.equal(await client.invoke("greet", { name: "Ada" }), "Hello, Ada!");

    const js = await fetch(`${origin}/__ferry/client.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /javascript/);
    assert.match(js.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.equal(await (await fetch(`${origin}/somewhere`)).text(), "app route /somewhere");

    const otherWs = new WebSocket(`ws://127.0.0.1:${port}/other`);
    assert.equal(String(await new Promise((r) => otherWs.once("message", r))), "other ok", "another upgrade path is left to its listener");
    otherWs.close();

    assert.equal(await outcome(wsUrl, ["ferry.v1", `ferry.token.${token}`], "http://evil.example"), "http 403", "foreign Origin");
    assert.equal(await outcome(wsUrl, ["ferry.v1", "ferry.token.00ff"], origin), "close 4401", "unknown token");
    ferry.revoke("main");
    await assert.rejects(client.invoke("greet", { name: "x" }), (e: FerryError) => e.kind === "connection_closed");
    assert.ok(logs.some((l) => /Origin/.test(l)));
    client.close();
  } finally {
    ferry.close();
    other.close();
    await new Promise((r) => server.close(r));
    app.close();
  }
});

test("attachWs refuses every ferry connection when the server is not on loopback", async () => {
  const app = createApp({ authorize: allowAll, commands: { greet: () => "hi" }, log: () => {} });
  const server = createServer((_req, res) => res.end("x"));
  const logs: string[] = [];
  const ferry = attachWs(app, server, { log: (m) => logs.push(m) });
  const port = await listen(server, "0.0.0.0");
  try {
    assert.throws(() => ferry.window("main"), /not on loopback/);
    assert.equal(await outcome(`ws://127.0.0.1:${port}/__ferry/ws`, ["ferry.v1"], `http://127.0.0.1:${port}`), "http 503");
    assert.ok(
      logs.some((l) => /not loopback/.test(l)),
      logs.join("\n"),
    );
  } finally {
    ferry.close();
    await new Promise((r) => server.close(r));
    app.close();
  }
});

test("attachWs: an upgrade to a path nobody serves is closed, as without ferry (no socket left open)", async () => {
  const app = createApp({ authorize: allowAll, log: () => {} });
  const server = createServer((_req, res) => res.end("x"));
  const ferry = attachWs(app, server, { log: () => {} });
  const port = await listen(server, "127.0.0.1");
  try {
    for (let i = 0; i < 20; i++) {
      // Without the fix the socket stays open until the client gives up: no answer, no close.
      const closed = await new Promise<boolean>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/elsewhere`);
        ws.once("error", () => resolve(true));
        ws.once("close", () => resolve(true));
        ws.once("open", () => resolve(false));
        setTimeout(() => resolve(false), 5000).unref(); // a bound, so a regression fails instead of hanging
      });
      assert.ok(closed, "the foreign upgrade was closed");
    }
    const open = await new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
    assert.equal(open, 0, "no socket is left open");
  } finally {
    ferry.close();
    await new Promise((r) => server.close(r));
    app.close();
  }
});

test("attachWs serves custom protocols through handleRequest, with the window's label and key", async () => {
  const app = createApp({ authorize: allowAll, log: () => {} });
  let ferry: ReturnType<typeof attachWs> | undefined;
  const server = createServer((req, res) => {
    if (ferry?.handleRequest(req, res)) return;
    res.end("app route");
  });
  ferry = attachWs(app, server, { log: () => {}, protocols: { whoami: (_request, { label }) => new Response(label) } });
  const port = await listen(server, "127.0.0.1");
  try {
    const key = createHash("sha256")
      .update(`ferry-asset\0${ferry.window("main").token}`)
      .digest("hex")
      .slice(0, 32);
    const url = `http://127.0.0.1:${port}/__ferry/protocol/whoami/${key}/x`;
    assert.equal(await (await fetch(url)).text(), "main");
    assert.equal((await fetch(`http://127.0.0.1:${port}/__ferry/protocol/asset/${key}/x`)).status, 404, "no asset protocol unless enabled");
    ferry.revoke("main");
    assert.equal((await fetch(url)).status, 403);
  } finally {
    await new Promise((r) => server.close(r));
  }
});
