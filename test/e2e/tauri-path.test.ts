/**
 * End to end: the published `@tauri-apps/api/path`, bundled unchanged, in Chromium against
 * ferry's `path` plugin over a real ws server: the app's folders as `appDirs` gives them, the
 * string functions with Tauri's results and string errors, `sep()`/`delimiter()`, and
 * `core:path:default` deciding access.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { createApp } from "ferry";
import { AccessControl } from "ferry/acl";
import { appDirs } from "ferry/config";
import { pathPlugin } from "ferry/plugins/path";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { launchChromium } from "../support/browser.ts";
import { openTauriPage, writeTauriPage } from "../support/tauri-page.ts";

const IDENTIFIER = "dev.ferry.pathtest";

const PAGE_SOURCE = `
import * as path from "@tauri-apps/api/path";
window.path = path;
document.body.dataset.ready = "yes";
`;

describe("@tauri-apps/api/path over ferry's path plugin, in Chromium", () => {
  let server: FerryServer;
  let files: string;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const cwd = "/srv/app";

  before(async () => {
    files = await mkdtemp(join(tmpdir(), "ferry-path-"));
    await writeTauriPage(files, PAGE_SOURCE);
    const path = pathPlugin({ identifier: IDENTIFIER, resourceDir: "/opt/pathtest/resources", cwd });
    const access = new AccessControl({
      commands: [],
      plugins: [path],
      capabilities: [
        { identifier: "main", windows: ["main"], permissions: ["core:path:default"] },
        { identifier: "limited", windows: ["limited"], permissions: ["core:path:allow-join"] },
      ],
    });
    const app = createApp({ plugins: [path], authorize: access.authorize, log: () => {} });
    server = await serveWs(app, { root: files, windows: ["main", "limited"], log: () => {} });
    chromium = await launchChromium();
    page = await open("main");
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
    await rm(files, { recursive: true, force: true });
  });

  const open = (label: string): Promise<Page> => openTauriPage(chromium.browser, server.window(label).url);

  /** Runs `path[fn](...args)` on the page: its value, or what its catch got. */
  const call = (p: Page, fn: string, ...args: unknown[]) =>
    p.evaluate(
      async ([fn, args]) => {
        try {
          return { ok: await (window as any).path[fn](...args) };
        } catch (e) {
          return { err: e, type: typeof e };
        }
      },
      [fn, args] as const,
    );

  test("the folder functions give appDirs(identifier)'s folders", async () => {
    const dirs = appDirs(IDENTIFIER);
    const expected: [string, string | undefined][] = [
      ["appDataDir", dirs.appData],
      ["appConfigDir", dirs.appConfig],
      ["appCacheDir", dirs.appCache],
      ["appLocalDataDir", dirs.appLocalData],
      ["appLogDir", dirs.appLog],
      ["homeDir", dirs.home],
      ["dataDir", dirs.data],
      ["configDir", dirs.config],
      ["cacheDir", dirs.cache],
      ["localDataDir", dirs.localData],
      ["tempDir", dirs.temp],
      ["resourceDir", "/opt/pathtest/resources"],
    ];
    for (const [fn, dir] of expected) assert.deepEqual(await call(page, fn), { ok: dir }, fn);
    assert.ok(dirs.appData.endsWith(`/${IDENTIFIER}`));
    // A folder the machine does not have: Tauri's string error.
    if (dirs.runtime === undefined) assert.deepEqual(await call(page, "runtimeDir"), { err: "unknown path", type: "string" });
    // BaseDirectory with a path under it; `..` refused as Tauri's SafePathBuf refuses it.
    assert.deepEqual(await call(page, "resolveResource", "icons/a.png"), { ok: "/opt/pathtest/resources/icons/a.png" });
    const up = await call(page, "resolveResource", "../secret");
    assert.equal(up.type, "string");
    assert.match(String(up.err), /cannot traverse directory/);
  });

  test("join, resolve, normalize, dirname, basename, extname, isAbsolute, sep, delimiter", async () => {
    const cases: [string, unknown[], unknown][] = [
      ["join", ["a", "b", "c.txt"], "a/b/c.txt"],
      ["join", ["/a", "../b", "./c/"], "/b/c"],
      ["join", ["a", "/b"], "a/b"], // Tauri: a later absolute part does not start over
      ["join", ["."], "."],
      ["resolve", ["x", "../../y"], "/srv/y"],
      ["resolve", ["x", "/etc", "z"], "/etc/z"],
      ["normalize", ["/a/./b/../c/"], "/a/c/"],
      ["normalize", [".."], ".."],
      ["normalize", ["."], "."],
      ["dirname", ["/a/b/c.txt"], "/a/b"],
      ["dirname", ["/a"], "/"],
      ["basename", ["/a/b/c.txt"], "c.txt"],
      ["basename", ["/a/b/c.txt", ".txt"], "c"],
      ["extname", ["/a/b/c.tar.gz"], "gz"],
      ["isAbsolute", ["/a"], true],
      ["isAbsolute", ["a"], false],
    ];
    for (const [fn, args, want] of cases) assert.deepEqual(await call(page, fn, ...args), { ok: want }, `${fn}(${args.join(", ")})`);
    assert.deepEqual(await call(page, "dirname", "/"), { err: "path does not have a parent", type: "string" });
    assert.deepEqual(await call(page, "extname", "/a/.bashrc"), { err: "path does not have an extension", type: "string" });
    assert.deepEqual(await call(page, "basename", "/a/.."), { err: "path does not have a basename", type: "string" });
    assert.deepEqual(await page.evaluate(() => [(window as any).path.sep(), (window as any).path.delimiter()]), ["/", ":"]);
  });

  test("capabilities decide: a window granted only join is refused the folders", async () => {
    const limited = await open("limited");
    assert.deepEqual(await call(limited, "join", "a", "b"), { ok: "a/b" });
    const denied = await call(limited, "appDataDir");
    assert.equal(denied.type, "string");
    assert.match(String(denied.err), /plugin:path\|resolve_directory/);
    await limited.close();
  });
});
