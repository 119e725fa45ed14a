/**
 * A test page built from Tauri's published packages (bundled unchanged by esbuild) behind
 * ferry's bridge, and opening it in Chromium as a window.
 */

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Writes `index.html` (the bridge as a classic script, then `app.js`) and `app.js` bundled from
 * `source`, which sets `document.body.dataset.ready = "yes"` when it has run.
 */
export async function writeTauriPage(dir: string, source: string): Promise<void> {
  await writeFile(
    join(dir, "index.html"),
    `<!doctype html><html><head><meta charset="utf-8">
<script src="/__ferry/tauri.js"></script>
<script type="module" src="/app.js"></script>
</head><body></body></html>`,
  );
  await bundlePage(dir, source);
}

/** Bundles `source` (which may import Tauri's packages and ferry's) into `dir/app.js` for a page. */
export async function bundlePage(dir: string, source: string): Promise<void> {
  await build({
    stdin: { contents: source, resolveDir: repo, loader: "js" },
    bundle: true,
    format: "esm",
    platform: "browser",
    outfile: join(dir, "app.js"),
    logLevel: "silent",
  });
}

/** Opens `url` in a new page and waits until the page's script has run. */
export async function openTauriPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector("body[data-ready=yes]", { state: "attached" });
  return page;
}
