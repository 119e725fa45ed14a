/**
 * Issue 9, finding 6: window tokens were never revoked. `server.revoke(label)` closes the
 * window's open connections with 4403, aborts their handlers, refuses the old token from
 * then on (4401) and lets `window(label)` mint a new one; other windows never notice. A
 * bare socket drop keeps the token valid, and one token serves several connections.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { allowAll, createApp, type App } from "ferry";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { createClient, type Client } from "ferry/client";
import { wsClientTransport } from "ferry/client/node";
import { rejection, until } from "../support/wait.ts";

let app: App<any>;
let server: FerryServer;
const running = new Map<string, AbortSignal>();

before(async () => {
  app = createApp({
    authorize: allowAll,
    log: () => {},
    commands: {
      whoami: (_a: Record<string, never>, ctx) => ctx.window,
      hang: ({ key }: { key: string }, ctx) =>
        new Promise<never>(() => {
          running.set(key, ctx.signal);
        }),
    },
  });
  server = await serveWs(app, { windows: ["main", "other"], log: () => {} });
});
after(() => server.close());

/** The close code a `connection_closed` error carries. */
const closeCode = (err: { data: unknown }) => (err.data as { code: number }).code;

async function connect(token: string): Promise<Client> {
  const t = wsClientTransport(server.wsUrl, { token, origin: server.origin });
  await t.opened;
  return createClient(t);
}

test("a dropped socket keeps its token; revoke closes the window's connections with 4403 and refuses the token", async () => {
  const old = server.window("main").token;
  const reload = await connect(old);
  assert.equal(await reload.invoke("whoami"), "main");
  reload.close(); // a reload or a restart of the page: same token, new socket
  const a = await connect(old);
  const b = await connect(old); // several connections per token
  assert.deepEqual([await a.invoke("whoami"), await b.invoke("whoami")], ["main", "main"]);
  const other = await connect(server.window("other").token);
  const call = a.invoke("hang", { key: "a" });
  await until(() => running.has("a"), "the handler to start");
  assert.deepEqual(app.windows().sort(), ["main", "other"]);

  server.revoke("main");

  const err = await rejection(call);
  assert.equal(err.kind, "connection_closed");
  assert.equal(closeCode(err), 4403);
  assert.match(err.message, /revoked by the app: reopen the app/);
  await until(() => running.get("a")!.aborted, "the revoked window's handler to be aborted");
  await until(() => b.isClosed, "every connection of the window to close");
  assert.equal(closeCode(await rejection(b.invoke("whoami"))), 4403);
  assert.deepEqual(app.windows(), ["other"]);
  assert.equal(await other.invoke("whoami"), "other", "other windows do not notice");

  const refused = await connect(old);
  const late = await rejection(refused.invoke("whoami"));
  assert.equal(closeCode(late), 4401, "the old token is refused after the revoke");
  assert.match(late.message, /window token refused \(revoked, or from an earlier run\)/);

  const fresh = server.window("main");
  assert.notEqual(fresh.token, old, "window() mints a new token after a revoke");
  assert.ok(!fresh.url.includes(old));
  const c = await connect(fresh.token);
  assert.equal(await c.invoke("whoami"), "main");
  c.close();
  other.close();
});

test("revoking a window with no connections or no token is harmless", async () => {
  server.revoke("never-minted");
  const { token } = server.window("other");
  server.revoke("other");
  const refused = await connect(token);
  assert.equal(closeCode(await rejection(refused.invoke("whoami"))), 4401);
});
