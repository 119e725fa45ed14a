/**
 * The dev-mode IPC inspector (`/__ferry/inspector`, docs/inspector.md) in Chromium: two
 * windows call (ok and failing) and emit; the inspector page shows a row for each with its
 * window, name, bytes and outcome, narrows them by window, name and errors, previews a
 * call's args and result, and never shows its own traffic. Its token calls nothing else,
 * even where a capability names its label. Outside dev mode the page and the token do not
 * exist. A stalled inspector loses its oldest rows to its connection's bound, counted; the
 * newest arrive.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import type { Page } from "playwright-core";
import { createApp, FerryError, allowAll } from "ferry";
import { loadAccessSync } from "ferry/acl";
import { createClient } from "ferry/client";
import { connectWs } from "ferry/client/node";
import { connectMemory } from "ferry/transports/memory";
import { serveWs, tokenProtocols, type FerryServer } from "ferry/transports/ws";
import { launchChromium } from "../support/browser.ts";
import { eventually, rejection, until } from "../support/wait.ts";

const INSPECTOR = "__ferry_inspector";
const SECRET = "ab".repeat(32);

const commands = {
  greet: ({ name }: { name: string }) => `Hello, ${name}!`,
  fail: (): never => {
    throw new FerryError("out_of_stock", "no more", { sku: 7 });
  },
  login: ({ user }: { user: string; token: string }) => `welcome ${user}`,
};

/** The rows the inspector page shows (visible ones only), as text per column. */
async function visibleRows(page: Page): Promise<{ window: string; type: string; name: string; bytes: string; outcome: string }[]> {
  // A string, not a function: the test's own transpiler would add helpers the page lacks.
  return page.evaluate(`[...document.querySelectorAll("#rows tr:not([hidden])")].map((tr) => Object.fromEntries(
    ["window", "type", "name", "bytes", "outcome"].map((c) => [c, tr.querySelector("td." + c).textContent])))`);
}

/** Opens a window page as `label` and returns a function that runs page code with its `client`. */
async function windowPage(server: FerryServer, page: Page, label: string) {
  await page.goto(`${server.origin}/`);
  await page.evaluate(`(async () => {
    const ferry = await import("/__ferry/client.js");
    window.client = ferry.connect({ token: "${server.window(label).token}" });
  })()`);
  return (code: string) => page.evaluate(`(async () => { ${code} })()`);
}

test("dev mode: the inspector shows every window's traffic, filters it and previews values", async () => {
  const root = await mkdtemp(join(tmpdir(), "ferry-inspector-"));
  // A capability that names the inspector's label and grants everything: it must grant it nothing.
  const access = loadAccessSync({
    root,
    commands: Object.keys(commands),
    capabilities: [
      {
        identifier: "all",
        windows: ["main", "second", INSPECTOR],
        permissions: ["allow-greet", "allow-fail", "allow-login", "core:event:default"],
      },
    ],
  });
  const app = createApp({ dev: true, authorize: access.authorize, commands, log: () => {} });
  const server = await serveWs(app, { windows: ["main", "second"], log: () => {} });
  const chromium = await launchChromium();
  try {
    const inspector = server.inspector();
    assert.ok(inspector, "dev mode has an inspector");
    assert.equal(inspector.label, INSPECTOR);
    assert.equal(inspector.url, `${server.origin}/__ferry/inspector#ferry-token=${inspector.token}`);
    assert.throws(() => server.window(INSPECTOR), /reserved for the dev-mode inspector/);

    const view = await chromium.browser.newPage();
    await view.goto(inspector.url);
    await view.locator("#status", { hasText: "watching" }).waitFor();

    const main = await windowPage(server, await chromium.browser.newPage(), "main");
    const second = await windowPage(server, await chromium.browser.newPage(), "second");
    await main(`
      await client.invoke("greet", { name: "World" });
      await client.invoke("fail").catch(() => {});
      await client.invoke("login", { user: "ada", token: "${SECRET}" });
      await client.emit("saved", { id: 7 });
    `);
    await second(`await client.invoke("greet", { name: "Second" });`);
    app.emit("tick", 1);

    const want = [
      { window: "main", type: "call", name: "greet", outcome: "ok" },
      { window: "main", type: "call", name: "fail", outcome: "out_of_stock" },
      { window: "main", type: "call", name: "login", outcome: "ok" },
      // The page's emit: the event goes out while its call runs, so its row comes first.
      { window: "main", type: "event", name: "saved", outcome: "ok" },
      { window: "main", type: "call", name: "plugin:event|emit", outcome: "ok" },
      { window: "second", type: "call", name: "greet", outcome: "ok" },
      { window: "backend", type: "event", name: "tick", outcome: "ok" },
    ];
    const rows = await eventually(async () => {
      const shown = await visibleRows(view);
      return shown.length >= want.length && shown;
    }, "the inspector shows every row");
    assert.deepEqual(
      rows.map(({ window, type, name, outcome }) => ({ window, type, name, outcome })),
      want,
    );
    // Bytes sent: a result's frame for a call that succeeded, nothing for one that failed.
    const greetRow = rows.find((r) => r.name === "greet")!;
    assert.match(greetRow.bytes, /^[1-9]\d* B$/);
    assert.equal(rows.find((r) => r.name === "fail")!.bytes, "0 B");
    // Its own traffic (the watch call, the feed's events) never shows.
    assert.ok(!rows.some((r) => r.window === INSPECTOR || r.name === "watch" || r.name === "ferry:inspector"));

    // Filters: by window, by name, errors only; together they narrow.
    await view.selectOption("#window", "second");
    assert.deepEqual(
      (await visibleRows(view)).map((r) => [r.window, r.name]),
      [["second", "greet"]],
    );
    await view.selectOption("#window", "main");
    await view.fill("#name", "gree");
    assert.deepEqual(
      (await visibleRows(view)).map((r) => [r.window, r.name]),
      [["main", "greet"]],
    );
    await view.fill("#name", "");
    await view.check("#errors");
    assert.deepEqual(
      (await visibleRows(view)).map((r) => [r.name, r.outcome]),
      [["fail", "out_of_stock"]],
    );
    assert.match((await view.textContent("#counts"))!, /^1 of 7 rows/);
    // The error's preview: kind, message and data.
    await view.click("#rows tr:not([hidden])");
    assert.deepEqual(JSON.parse((await view.textContent("#detail pre.error"))!), {
      kind: "out_of_stock",
      message: "no more",
      data: { sku: 7 },
    });
    await view.uncheck("#errors");
    await view.selectOption("#window", "");

    // A call's preview: its args and result; a token among the args is redacted.
    await view.click("#rows tr:nth-child(1)");
    assert.deepEqual(JSON.parse((await view.textContent("#detail pre.args"))!), { name: "World" });
    assert.equal(JSON.parse((await view.textContent("#detail pre.result"))!), "Hello, World!");
    await view.click("#rows tr:nth-child(3)");
    assert.deepEqual(JSON.parse((await view.textContent("#detail pre.args"))!), { user: "ada", token: "[redacted]" });
    await view.click("#rows tr:nth-child(4)");
    assert.deepEqual(JSON.parse((await view.textContent("#detail pre.payload"))!), { id: 7 });
    assert.ok(!(await view.content()).includes(SECRET), "no token anywhere in the page");
    assert.ok(!(await view.content()).includes(inspector.token), "the inspector's own token is not shown");

    // The inspector's token calls nothing of the app, whatever the capability grants.
    const asInspector = await connectWs(server.wsUrl, { token: inspector.token, origin: server.origin });
    for (const [cmd, args] of [
      ["greet", { name: "x" }],
      ["plugin:event|listen", { event: "saved", handler: 1 }],
      ["plugin:event|emit", { event: "saved", payload: 1 }],
    ] as const) {
      const err = await rejection(asInspector.invoke(cmd, args));
      assert.equal(err.kind, "permission_denied", `${cmd}: ${err.message}`);
      assert.match(err.message, /the inspector may only watch the traffic/);
    }
    asInspector.close();
    // Nor is it a window of the app's.
    assert.deepEqual(app.windows().sort(), ["main", "second"]);
  } finally {
    await chromium.close();
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
});

test("production: no inspector page, label or token", async () => {
  const app = createApp({ authorize: allowAll, commands, log: () => {} });
  const server = await serveWs(app, { log: () => {} });
  try {
    assert.equal(server.inspector(), undefined);
    for (const path of ["/__ferry/inspector", "/__ferry/inspector.js"]) {
      const res = await fetch(`${server.origin}${path}`);
      assert.equal(res.status, 404, path);
    }
    assert.throws(() => server.window(INSPECTOR), /reserved/);
    // Should a transport bind the label anyway (in-process, here), it may call nothing, not even watch.
    const bound = createClient(connectMemory(app, INSPECTOR));
    for (const cmd of ["watch", "greet"]) {
      const err = await rejection(bound.invoke(cmd, { handler: 1, name: "x" }));
      assert.equal(err.kind, "permission_denied", cmd);
      assert.match(err.message, /no inspector outside dev mode/);
    }
    bound.close();
  } finally {
    await server.close();
  }
});

test("a stalled inspector loses its oldest rows (the connection's bound) and is told how many", async () => {
  const maxBufferedBytes = 64 * 1024;
  const app = createApp({ dev: true, authorize: allowAll, commands, maxBufferedBytes, log: () => {} });
  const server = await serveWs(app, { log: () => {} });
  const inspector = server.inspector()!;
  const ws = new WebSocket(server.wsUrl, tokenProtocols(inspector.token), { origin: server.origin });
  const messages: { t: string; id?: number; n?: unknown; p?: { seq: number; name: string } }[] = [];
  ws.on("message", (data) => {
    const m = JSON.parse(String(data)) as (typeof messages)[number] | (typeof messages)[number][];
    messages.push(...(Array.isArray(m) ? m : [m]));
  });
  try {
    await new Promise((r) => ws.once("open", r));
    ws.send(JSON.stringify({ t: "i", id: 1, cmd: "watch", a: { handler: 5 } }));
    await until(() => messages.some((m) => m.t === "r" && m.id === 1), "watch answered");
    // Stop reading: the socket's buffers fill, then the connection's bound.
    ws.pause();
    const client = await connectWs(server.wsUrl, { token: server.window("main").token, origin: server.origin });
    const calls = 3000;
    const name = "n".repeat(3000); // each row carries ~2 KB of args and of result preview
    for (let i = 0; i < calls; i += 100) {
      await Promise.all(Array.from({ length: 100 }, () => client.invoke("greet", { name })));
    }
    client.close();
    ws.resume();
    // Every row is either received or counted as dropped; the newest always arrive.
    const rowsOf = () => messages.filter((m) => m.t === "e");
    const droppedOf = () => messages.filter((m) => m.t === "l").reduce((n, m) => n + (m.n as number[])[0]!, 0);
    await until(() => rowsOf().length + droppedOf() === calls, `rows received + dropped reach ${calls}`, 20_000);
    const rows = rowsOf();
    assert.ok(droppedOf() > 0, "some rows were dropped");
    assert.equal(rows.at(-1)!.p!.seq, calls, "the newest row arrived");
    assert.ok(
      messages.filter((m) => m.t === "l").every((m) => JSON.stringify(m) === `{"t":"l","h":[5],"n":[${(m.n as number[])[0]}]}`),
      "lag notices name the feed's handler",
    );
    // What arrived is what was queued last: the oldest were dropped, not the newest.
    const seqs = rows.map((m) => m.p!.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    // Far more was produced for the feed than the bound lets the backend hold for it.
    const rowBytes = rows.reduce((n, m) => n + JSON.stringify(m).length, 0) / rows.length;
    assert.ok(rowBytes * calls > 20 * maxBufferedBytes, `produced ${rowBytes * calls} bytes for the feed`);
  } finally {
    ws.close();
    await server.close();
  }
});
