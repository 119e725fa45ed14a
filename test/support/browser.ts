/**
 * Debian's Chromium driven by playwright-core, for end-to-end tests. Never a downloaded
 * browser build. playwright gives every launch a fresh, empty profile directory of its own
 * (it refuses a `--user-data-dir` argument) and removes it on close.
 */

import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export function chromiumPath(): string {
  const path = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p && existsSync(p));
  if (!path) throw new Error("Chromium not found: run `npm test` (it installs Debian's chromium) or set CHROMIUM_PATH");
  return path;
}

/** The flags this machine's Chromium needs: no sandbox as root, no GPU, no network chatter. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Launches headless Chromium; `extraArgs` adds flags (e.g. host resolver rules). */
export async function launchChromium(extraArgs: string[] = []): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_FLAGS, ...extraArgs] });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}
