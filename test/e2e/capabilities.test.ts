/**
 * Capabilities end to end: the tutorial page in Chromium, served by the real ws server.
 * `main` reads a file; `limited` is refused and the page shows the denial.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { createTutorialApp } from "../../examples/tutorial/commands.ts";
import { tutorialPlugins } from "../../examples/tutorial/access.ts";
import { launchChromium } from "../support/browser.ts";

let server: FerryServer;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
let dir: string;
let file: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferry-e2e-acl-"));
  file = join(dir, "note.txt");
  await writeFile(file, "from disk");
  const root = fileURLToPath(new URL("../../examples/tutorial/ui", import.meta.url));
  // No display for the dialog: main gets a clear dialog_unavailable instead of a window popping up.
  const app = createTutorialApp({ log: () => {}, plugins: tutorialPlugins({ dialog: { env: { PATH: "" }, platform: "linux" } }) });
  server = await serveWs(app, { root, windows: ["main", "limited"], log: () => {} });
  chromium = await launchChromium();
  browser = chromium.browser;
});

after(async () => {
  await chromium?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function openAs(label: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(server.window(label).url);
  await page.locator("#connection", { hasText: "connected" }).waitFor();
  return page;
}

async function readThroughPage(page: Page, path: string): Promise<void> {
  await page.fill("#read-path", path);
  await page.click("#read-form button");
}

test("main reads a file through the page", async () => {
  const page = await openAs("main");
  try {
    await readThroughPage(page, file);
    await page.locator("#read-content", { hasText: "from disk" }).waitFor();
    assert.equal(await page.locator("#read-error").isHidden(), true);
  } finally {
    await page.close();
  }
});

test("limited cannot call what main can; the page shows the denial", async () => {
  const page = await openAs("limited");
  try {
    await readThroughPage(page, file);
    const error = page.locator("#read-error");
    await error.waitFor({ state: "visible" });
    assert.equal(await error.getAttribute("data-kind"), "permission_denied");
    const text = (await error.textContent()) ?? "";
    assert.match(text, /"read_file" is not allowed for window "limited"; add "allow-read-file"/);
    assert.equal(await page.locator("#read-content").textContent(), "");
    // The same page may still do what its capability grants.
    await page.fill("#greet-name", "limited");
    await page.click("#greet-form button");
    await page.locator("#greeting", { hasText: "Hello, limited!" }).waitFor();
    // And start_job, granted only to main, is refused there too.
    await page.click("#job-start");
    await page.locator("#job-status", { hasText: "permission_denied" }).waitFor();
  } finally {
    await page.close();
  }
});

test("the dialog button: main may open a dialog (none is available here), limited may not", async () => {
  for (const [label, kind, text] of [
    ["main", "dialog_unavailable", /no native file dialog available: no graphical display/],
    ["limited", "permission_denied", /"plugin:dialog\|open" is not allowed for window "limited"; add "dialog:allow-open"/],
  ] as const) {
    const page = await openAs(label);
    try {
      await page.click("#open-file");
      const error = page.locator("#open-error");
      await error.waitFor({ state: "visible" });
      assert.equal(await error.getAttribute("data-kind"), kind);
      assert.match((await error.textContent()) ?? "", text);
    } finally {
      await page.close();
    }
  }
});
