/**
 * Tauri's window API, unchanged, in a real app window: a page bundled from the published
 * `@tauri-apps/api` (window, webviewWindow, app, dpi) runs in the Chromium engine on Xvfb
 * against ferry's `core:window` / `core:webview` / `core:app` plugins, with capabilities
 * in Tauri's own permission names. What the window manager shows is checked with wmctrl.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { createApp } from "ferry";
import { loadAccessSync } from "ferry/acl";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { chromiumEngine, createWindows, type AppWindow, type Windows } from "ferry/windows";
import { eventually } from "../support/wait.ts";
import { startDisplay, type Display } from "../support/display.ts";
import { chromiumPath } from "../support/browser.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));

const PAGE_SOURCE = `
import { getCurrentWindow, Window, currentMonitor } from "@tauri-apps/api/window";
import { WebviewWindow, getCurrentWebviewWindow } from "@tauri-apps/api/webviewWindow";
import * as app from "@tauri-apps/api/app";
import { LogicalSize, LogicalPosition } from "@tauri-apps/api/dpi";
window.t = { getCurrentWindow, Window, currentMonitor, WebviewWindow, getCurrentWebviewWindow, app, LogicalSize, LogicalPosition };
window.ready = true;
`;

const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>page title</title>
<script type="module" src="/__ferry/tauri.js"></script>
<script type="module" src="/app.js"></script>
</head><body style="background:#2a6">window test</body></html>`;

/** Runs `body` (an async function body using `t`, Tauri's modules) in the window's page. */
const inPage = (w: AppWindow, body: string) =>
  w.evaluate(`(async () => { while (!window.ready) await new Promise((r) => setTimeout(r, 10)); const t = window.t; ${body} })()`);

describe("Tauri's window API through the bridge, in a real window", () => {
  let display: Display;
  let dir: string;
  let windows: Windows;
  let server: FerryServer;
  const external: string[] = [];

  before(async () => {
    display = await startDisplay();
    dir = await mkdtemp(join(tmpdir(), "ferry-tauri-window-"));
    const root = join(dir, "ui");
    await mkdir(join(dir, "capabilities"), { recursive: true });
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "index.html"), PAGE_HTML);
    await build({
      stdin: { contents: PAGE_SOURCE, resolveDir: repo, loader: "js" },
      bundle: true,
      format: "esm",
      outfile: join(root, "app.js"),
      logLevel: "silent",
    });
    await writeFile(
      join(dir, "capabilities", "main.json"),
      JSON.stringify({
        identifier: "main",
        windows: ["main"],
        permissions: [
          "core:default",
          "core:window:allow-set-title",
          "core:window:allow-set-size",
          "core:window:allow-maximize",
          "core:window:allow-unmaximize",
          "core:window:allow-hide",
          "core:window:allow-close",
          "core:window:allow-set-decorations",
          "core:webview:allow-create-webview-window",
        ],
      }),
    );
    await writeFile(
      join(dir, "capabilities", "second.json"),
      JSON.stringify({ identifier: "second", windows: ["second"], permissions: ["core:default", "core:window:allow-destroy"] }),
    );
    windows = createWindows({ name: "window test", identifier: "dev.ferry.windowtest", version: "1.2.3" });
    const authorize = loadAccessSync({ root: dir, commands: [], plugins: windows.plugins }).authorize;
    const app = createApp({ plugins: windows.plugins, authorize, log: () => {} });
    server = await serveWs(app, { root, windows: ["main", "second"], log: () => {}, appHost: "dev.ferry.windowtest.localhost" });
    await windows.start(
      chromiumEngine({
        profileDir: join(dir, "profile"),
        appName: "window test",
        executable: chromiumPath(),
        env: display.env,
        log: () => {},
        openExternal: async (url) => {
          external.push(url);
          return true;
        },
      }),
      server,
      app,
    );
  });
  after(async () => {
    await windows?.close();
    await server?.close();
    await display?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("getCurrentWindow: label, setTitle (what the window manager shows), sizes, maximize; hide is unsupported", async () => {
    const main = await windows.open({ label: "main", url: "index.html", title: "window test" });
    assert.equal(await inPage(main, "return [t.getCurrentWindow().label, t.getCurrentWebviewWindow().label].join()"), "main,main");
    await eventually(() => display.windows().some((w) => w.title === "window test"), "the configured title, not the page's <title>");

    await inPage(main, `await t.getCurrentWindow().setTitle("Renamed by the page")`);
    await eventually(() => display.windows().some((w) => w.title === "Renamed by the page"), "the new title in the window manager");
    assert.equal(await inPage(main, "return await t.getCurrentWindow().title()"), "Renamed by the page");

    await inPage(main, "await t.getCurrentWindow().setSize(new t.LogicalSize(640, 480))");
    assert.deepEqual(await inPage(main, "const s = await t.getCurrentWindow().innerSize(); return [s.width, s.height, s.type]"), [
      640,
      480,
      "Physical",
    ]);
    const outer = (await inPage(main, "const s = await t.getCurrentWindow().outerSize(); return [s.width, s.height]")) as number[];
    assert.ok(outer[0]! >= 640 && outer[1]! >= 480, `the window holds the page: ${outer.join("x")}`);

    assert.equal(await inPage(main, "return await t.getCurrentWindow().isMaximized()"), false);
    await inPage(main, "await t.getCurrentWindow().maximize()");
    assert.equal(await inPage(main, "return await t.getCurrentWindow().isMaximized()"), true);
    await inPage(main, "await t.getCurrentWindow().unmaximize()");
    assert.equal(await inPage(main, "return await t.getCurrentWindow().isMaximized()"), false);

    // Granted, but the engine cannot: a clear rejection, not a minimize and not a hang.
    const hide = (await inPage(
      main,
      "try { await t.getCurrentWindow().hide(); return 'hidden'; } catch (e) { return String(e); }",
    )) as string;
    assert.match(hide, /hide is not supported by the chromium window engine/);
    assert.ok(
      display.windows().some((w) => w.title === "Renamed by the page"),
      "the window is still there",
    );

    assert.deepEqual(
      await inPage(main, "return [await t.app.getName(), await t.app.getVersion(), typeof (await t.app.getTauriVersion())]"),
      ["window test", "1.2.3", "string"],
    );
  });

  test("new WebviewWindow opens a second window with tauri://created; its own capabilities apply; onCloseRequested runs on close()", async () => {
    const main = windows.get("main")!;
    const created = await inPage(
      main,
      `return await new Promise((resolve) => {
        const w = new t.WebviewWindow("second", { url: "index.html", title: "Second window", width: 500, height: 400 });
        w.once("tauri://created", () => resolve("created"));
        w.once("tauri://error", (e) => resolve("error: " + JSON.stringify(e.payload)));
      })`,
    );
    assert.equal(created, "created");
    await eventually(() => display.windows().some((w) => w.title === "Second window"), "the second window on screen");
    const second = windows.get("second")!;
    assert.equal(await inPage(second, "return t.getCurrentWindow().label"), "second");
    // The second window's capability grants no set_title.
    const denied = (await inPage(
      second,
      "try { await t.getCurrentWindow().setTitle('x'); return 'allowed'; } catch (e) { return String(e); }",
    )) as string;
    assert.notEqual(denied, "allowed");
    assert.match(denied, /set_title/);

    // A taken label: tauri://error, as in Tauri.
    const again = await inPage(
      main,
      `return await new Promise((resolve) => {
        const w = new t.WebviewWindow("second", { url: "index.html" });
        w.once("tauri://created", () => resolve("created"));
        w.once("tauri://error", (e) => resolve("error"));
      })`,
    );
    assert.equal(again, "error");

    // The second page asks to be told before closing: it keeps the window the first time, lets it go the second.
    await inPage(
      second,
      `window.asked = 0; await t.getCurrentWindow().onCloseRequested((e) => { window.asked++; if (window.asked === 1) e.preventDefault(); }); return true`,
    );
    await inPage(main, `const w = await t.Window.getByLabel("second"); await w.close(); return true`);
    await eventually(async () => (await second.evaluate("window.asked")) === 1, "the close-requested handler to run");
    // Had the handler let it go, destroy would have been called before the handler's call returned.
    assert.equal(await inPage(second, "return await t.getCurrentWindow().isVisible()"), true, "preventDefault kept the window open");
    assert.deepEqual(windows.labels(), ["main", "second"]);
    await inPage(main, `const w = await t.Window.getByLabel("second"); await w.close(); return true`);
    await eventually(() => !display.windows().some((w) => w.title === "Second window"), "the second window to close");
    await eventually(() => windows.labels().length === 1, "the manager to see it closed");
    assert.deepEqual(windows.labels(), ["main"]);

    // Only the window being closed is asked: a close-requested listener in another window does not keep it open.
    await inPage(main, `window.unlistenClose = await t.getCurrentWindow().onCloseRequested((e) => e.preventDefault()); return true`);
    const third = await inPage(
      main,
      `return await new Promise((resolve) => {
        const w = new t.WebviewWindow("third", { url: "index.html", title: "Third window", width: 400, height: 300 });
        w.once("tauri://created", () => resolve("created"));
        w.once("tauri://error", (e) => resolve("error: " + JSON.stringify(e.payload)));
      })`,
    );
    assert.equal(third, "created");
    await inPage(main, `const w = await t.Window.getByLabel("third"); await w.close(); return true`);
    await eventually(() => windows.labels().length === 1, "the third window closed although main listens for close-requested");
    await inPage(main, `window.unlistenClose(); return true`);
  });

  test("window.open to a foreign site goes to the user's browser; to the app's own page it is refused; no stray windows", async () => {
    const main = windows.get("main")!;
    const before = display.windows().length;
    await main.evaluate(`void window.open("https://example.org/docs", "_blank")`);
    await eventually(() => external.includes("https://example.org/docs"), "the URL handed to the system browser");
    await main.evaluate(`void window.open("/index.html", "_blank")`);
    await eventually(() => display.windows().length === before, "no window besides the app's own", 10_000);
    assert.deepEqual(windows.labels(), ["main"]);
  });
});
