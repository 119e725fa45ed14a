/**
 * Issue 9, finding 6: pages could be framed by any site (no `frame-ancestors`), so a
 * page elsewhere could overlay the app and trick clicks. Every response ferry serves —
 * pages, the client module, errors, refused upgrades — now sends
 * `Content-Security-Policy: frame-ancestors 'none'`, or the app's configured sources; and
 * Chromium refuses to show the page in a foreign frame.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import { writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import WebSocket from "ws";
import { allowAll, createApp } from "ferry";
import { serveWs, tokenProtocols, type FerryServer } from "ferry/transports/ws";
import { launchChromium } from "../support/browser.ts";
import { tempDir } from "./helpers.ts";

let root: string;
let foreign: Server;
let foreignOrigin: string;
const app = () => createApp({ authorize: allowAll, log: () => {} });

before(async () => {
  root = await tempDir("frames");
  await writeFile(join(root, "index.html"), "<!doctype html><title>framed?</title><p id=inside>app page</p>");
  // Another origin whose page frames the app's page.
  foreign = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(`<!doctype html><iframe src="${decodeURIComponent(req.url!.slice(1))}"></iframe>`);
  });
  await new Promise<void>((r) => foreign.listen(0, "127.0.0.1", r));
  foreignOrigin = `http://127.0.0.1:${(foreign.address() as { port: number }).port}`;
});
after(async () => {
  await new Promise((r) => foreign.close(r));
  await rm(root, { recursive: true, force: true });
});

function get(port: number, path: string, opts: { host?: string; method?: string } = {}): Promise<{ status: number; csp: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: opts.method ?? "GET", headers: { host: opts.host ?? `127.0.0.1:${port}` } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, csp: res.headers["content-security-policy"] }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** The status and CSP header of a refused WebSocket upgrade. */
function refusedUpgrade(server: FerryServer, origin: string): Promise<{ status: number; csp: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.wsUrl, tokenProtocols(server.window("main").token), { origin });
    ws.once("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode ?? 0, csp: res.headers["content-security-policy"] });
      ws.terminate();
    });
    ws.once("error", () => {});
    ws.once("open", () => reject(new Error("the upgrade should have been refused")));
  });
}

test("every response says frame-ancestors 'none': page, client module, errors, refused upgrades", async () => {
  const server = await serveWs(app(), { root, log: () => {} });
  try {
    const none = "frame-ancestors 'none'";
    const seen = [
      ["page", await get(server.port, "/")],
      ["client module", await get(server.port, "/__ferry/client.js")],
      ["Tauri bridge", await get(server.port, "/__ferry/tauri.js")],
      ["not found", await get(server.port, "/missing.html")],
      ["bad path", await get(server.port, "/%zz")],
      ["wrong method", await get(server.port, "/", { method: "POST" })],
      ["forbidden Host", await get(server.port, "/", { host: `evil.example:${server.port}` })],
      ["refused upgrade", await refusedUpgrade(server, "https://evil.example")],
    ] as const;
    assert.deepEqual(
      seen.map(([what, r]) => [what, r.status, r.csp]),
      [
        ["page", 200, none],
        ["client module", 200, none],
        ["Tauri bridge", 200, none],
        ["not found", 404, none],
        ["bad path", 400, none],
        ["wrong method", 405, none],
        ["forbidden Host", 403, none],
        ["refused upgrade", 403, none],
      ],
    );
  } finally {
    await server.close();
  }
});

test("the app can list who may frame it; entries that are not one source expression are refused", async () => {
  const server = await serveWs(app(), { root, frameAncestors: ["'self'", "https://docs.example.com"], log: () => {} });
  try {
    assert.equal((await get(server.port, "/")).csp, "frame-ancestors 'self' https://docs.example.com");
  } finally {
    await server.close();
  }
  for (const bad of [
    "https://a.example; script-src *",
    "https://a.example https://b.example",
    "'unsafe-inline'",
    "a,b",
    "x\r\nSet-Cookie: y",
  ]) {
    await assert.rejects(serveWs(app(), { frameAncestors: [bad], log: () => {} }), TypeError, JSON.stringify(bad));
  }
});

test("Chromium does not show the page in another site's frame (and does when the app allows that site)", { timeout: 60_000 }, async () => {
  const chromium = await launchChromium();
  const denied = await serveWs(app(), { root, log: () => {} });
  const allowed = await serveWs(app(), { root, frameAncestors: [foreignOrigin], log: () => {} });
  try {
    /** What the frame shows: the app's text, or nothing (Chromium's blocked-frame error page). */
    const framed = async (server: FerryServer) => {
      const page = await chromium.browser.newPage();
      await page.goto(`${foreignOrigin}/${encodeURIComponent(`${server.origin}/`)}`);
      await page.frameLocator("iframe").locator("body").waitFor({ state: "attached" });
      const frame = page.frames().find((f) => f !== page.mainFrame())!;
      await frame.waitForLoadState("load");
      const result = { url: frame.url(), text: await frame.locator("#inside").count() };
      await page.close();
      return result;
    };
    const blocked = await framed(denied);
    assert.equal(blocked.text, 0, "the app's page does not render in the foreign frame");
    assert.notEqual(blocked.url, `${denied.origin}/`);
    const shown = await framed(allowed);
    assert.deepEqual(shown, { url: `${allowed.origin}/`, text: 1 }, "the same frame works when the app allows the site");
  } finally {
    await denied.close();
    await allowed.close();
    await chromium.close();
  }
});
