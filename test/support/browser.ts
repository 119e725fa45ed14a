/**
 * Debian's Chromium driven by playwright-core, for end-to-end tests. Each launch gets a
 * fresh profile (playwright makes a temporary one and removes it on close; it refuses a
 * `--user-data-dir` argument to `launch`).
 */

import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export function chromiumPath(): string {
  const path = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p && existsSync(p));
  if (!path) throw new Error("Chromium not found: run `npm test` (it installs Debian's chromium) or set CHROMIUM_PATH");
  return path;
}

/** Launches headless Chromium with the flags this machine needs. */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}
