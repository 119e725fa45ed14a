/**
 * `remote.urls`: a page on another origin gets only the capabilities that name its origin,
 * never the local ones, and may connect only when its origin is allowed at the handshake.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { createApp, FerryError } from "ferry";
import { AccessControl } from "ferry/acl";
import { serveWs } from "ferry/transports/ws";
import { wsClientTransport } from "ferry/client/node";
import { createClient } from "ferry/client";

const commands = { greet: () => "hi", start_job: () => "started" };

function access() {
  return new AccessControl({
    commands: Object.keys(commands),
    capabilities: [
      { identifier: "default", windows: ["main"], permissions: ["allow-greet"] },
      {
        identifier: "web",
        windows: ["main"],
        local: false,
        remote: { urls: ["https://docs.example.com/*", "https://*.example.org"] },
        permissions: ["allow-start-job"],
      },
    ],
  });
}

test("remote origins get only the capabilities naming them", () => {
  const a = access();
  assert.equal(a.decide("main", "greet", false, "http://127.0.0.1:1420").allowed, true);
  assert.equal(a.decide("main", "start_job", false, "http://127.0.0.1:1420").allowed, false);
  assert.equal(a.decide("main", "start_job").allowed, false);
  assert.equal(a.decide("main", "start_job", false, "https://docs.example.com").allowed, true);
  assert.equal(a.decide("main", "greet", false, "https://docs.example.com").allowed, false);
  assert.equal(a.decide("main", "start_job", false, "https://a.example.org").allowed, true);
  assert.equal(a.decide("main", "start_job", false, "https://example.org.evil.com").allowed, false);
  assert.deepEqual(a.remoteOrigins(), ["https://docs.example.com"]);
});

test("over ws: the remote page connects only if allowed, and is judged by its origin", async () => {
  const acl = access();
  const app = createApp({ commands, authorize: acl.authorize, log: () => {} });
  const server = await serveWs(app, { windows: ["main"], origins: acl.remoteOrigins(), log: () => {} });
  const { token } = server.window("main");
  const remote = wsClientTransport(server.wsUrl, { token, origin: "https://docs.example.com" });
  const local = wsClientTransport(server.wsUrl, { token, origin: server.origin });
  const stranger = wsClientTransport(server.wsUrl, { token, origin: "https://evil.example.net" });
  try {
    await Promise.all([remote.opened, local.opened]);
    await assert.rejects(stranger.opened);
    const r = createClient(remote);
    const l = createClient(local);
    assert.equal(await r.invoke("start_job"), "started");
    await assert.rejects(r.invoke("greet"), (e: unknown) => e instanceof FerryError && e.kind === "permission_denied");
    assert.equal(await l.invoke("greet"), "hi");
    await assert.rejects(l.invoke("start_job"), (e: unknown) => e instanceof FerryError && e.kind === "permission_denied");
    r.close();
    l.close();
  } finally {
    await server.close();
  }
});
