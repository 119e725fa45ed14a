/**
 * The tutorial app end to end in Debian's Chromium: what a person does on the page, and
 * the attacks a browser can mount (another origin, a wrong token, a rebinding Host).
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { createTutorialApp } from "../../examples/tutorial/commands.ts";
import { launchChromium } from "../support/browser.ts";
import { until } from "../support/wait.ts";

let server: FerryServer;
let app: ReturnType<typeof createTutorialApp>;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
let dir: string;
let foreign: Server;
let foreignOrigin: string;
const refusals: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferry-e2e-"));
  await writeFile(join(dir, "hello.txt"), "text from a real file\nsecond line");
  const root = fileURLToPath(new URL("../../examples/tutorial/ui", import.meta.url));
  app = createTutorialApp({ log: () => {} });
  server = await serveWs(app, { root, windows: ["main"], log: (m) => refusals.push(m) });
  // A page on another origin (another port is another origin) that knows the token.
  foreign = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end("<!doctype html><title>elsewhere</title>");
  });
  await new Promise<void>((r) => foreign.listen(0, "127.0.0.1", r));
  foreignOrigin = `http://127.0.0.1:${(foreign.address() as { port: number }).port}`;
  chromium = await launchChromium(["--host-resolver-rules=MAP rebind.test 127.0.0.1"]);
  browser = chromium.browser;
});

after(async () => {
  await chromium?.close();
  await server?.close();
  await new Promise((r) => foreign?.close(r));
  await rm(dir, { recursive: true, force: true });
});

/** Opens a WebSocket from `page` with main's valid token; "open" or "closed <code>". */
function tryConnect(page: Page, url: string): Promise<string> {
  return page.evaluate(
    ({ url, token }) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(url, ["ferry.v1", `ferry.token.${token}`]);
        ws.onopen = () => resolve("open");
        ws.onclose = (e) => resolve(`closed ${e.code}`);
      }),
    { url, token: server.window("main").token },
  );
}

async function openMain(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(server.window("main").url);
  await page.locator("#connection", { hasText: /^connected$/ }).waitFor();
  return page;
}

test("greet shows the backend's greeting", async () => {
  const page = await openMain();
  await page.fill("#greet-name", "Ada");
  await page.click("#greet-form button");
  await page.locator("#greeting", { hasText: "Hello, Ada!" }).waitFor();
  // The token left the address bar once read.
  assert.doesNotMatch(page.url(), /ferry-token/);
  await page.close();
});

test("read_file shows a file's text, and the not_found kind for a missing one", async () => {
  const page = await openMain();
  await page.fill("#read-path", join(dir, "hello.txt"));
  await page.click("#read-form button");
  await page.locator("#read-content", { hasText: "text from a real file" }).waitFor();
  assert.equal(await page.locator("#read-error").isHidden(), true);

  await page.fill("#read-path", join(dir, "missing.txt"));
  await page.click("#read-form button");
  const error = page.locator("#read-error");
  await error.waitFor({ state: "visible" });
  assert.equal(await error.getAttribute("data-kind"), "not_found");
  assert.match((await error.textContent()) ?? "", /^not_found: no file at .*missing\.txt$/);
  assert.equal(await page.locator("#read-content").textContent(), "");
  await page.close();
});

test("the job's progress bar moves to 100 % and then shows done; listeners are removed", async () => {
  const page = await openMain();
  // Record every value the page gives the bar. (A string: tsx would wrap a function's inner names.)
  await page.evaluate(`(() => {
    const bar = document.getElementById("job-progress");
    const seen = (window.seenProgress = []);
    const desc = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, "value");
    Object.defineProperty(bar, "value", {
      get() { return desc.get.call(bar); },
      set(v) { desc.set.call(bar, v); seen.push(v); },
    });
  })()`);
  await page.click("#job-start");
  await page.locator("#job-status", { hasText: /^running/ }).waitFor();
  await until(() => app.listenerCount("job-progress") === 1, "the page to listen");
  await page.locator("#job-status", { hasText: /^done$/ }).waitFor({ timeout: 20_000 });
  assert.equal(await page.locator("#job-progress").evaluate((el) => (el as HTMLProgressElement).value), 100);
  assert.equal(await page.locator("#job-percent").textContent(), "100 %");
  const seen = await page.evaluate(() => (window as unknown as { seenProgress: number[] }).seenProgress);
  assert.deepEqual(
    seen.slice(1),
    Array.from({ length: 100 }, (_, i) => i + 1),
    "every step, in order",
  );
  await page.locator("#job-start:not([disabled])").waitFor();
  await until(() => app.listenerCount() === 0, "the page's listeners to be removed");
  await page.close();
});

test("a page on another origin cannot connect, even with the right token", async () => {
  const page = await browser.newPage();
  await page.goto(foreignOrigin);
  const outcome = await tryConnect(page, server.wsUrl);
  assert.equal(outcome, "closed 1006");
  assert.ok(refusals.some((r) => r.includes(`Origin "${foreignOrigin}"`)));
  await page.close();
});

test("a wrong token does not connect and the page says so", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/#ferry-token=${"ab".repeat(32)}`);
  await page.locator("#connection", { hasText: /^not connected: connection_closed/ }).waitFor();
  await page.fill("#greet-name", "Eve");
  await page.click("#greet-form button");
  await page.locator("#greeting", { hasText: /connection_closed/ }).waitFor();
  assert.ok(refusals.some((r) => r.includes("window token")));
  await page.close();
});

test("a forged Host (DNS rebinding) gets neither the page nor a socket", async () => {
  const page = await browser.newPage();
  const rebound = `http://rebind.test:${server.port}`;
  const response = await page.goto(`${rebound}/#ferry-token=${server.window("main").token}`);
  assert.equal(response?.status(), 403);
  const outcome = await tryConnect(page, `ws://rebind.test:${server.port}/__ferry/ws`);
  assert.equal(outcome, "closed 1006");
  assert.ok(refusals.some((r) => r.includes(`Host "rebind.test:${server.port}"`)));
  await page.close();
});
