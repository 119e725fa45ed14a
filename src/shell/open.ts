/**
 * Opening a URL in the system's browser. App windows of their own come later; until then
 * the page opens in whatever browser the desktop uses.
 *
 * The URL lands in the arguments of the opener and of the browser, which every local user
 * can read in /proc: pass a launch file's `file://` URL (`server.launchFile`), never one
 * that carries or redeems a token.
 */

import { spawn } from "node:child_process";

/** The command that opens a URL: `$FERRY_OPENER` (one executable, given the URL) or the platform's. */
function opener(): { cmd: string; args: string[] } {
  const custom = process.env.FERRY_OPENER;
  if (custom) return { cmd: custom, args: [] };
  if (process.platform === "darwin") return { cmd: "open", args: [] };
  if (process.platform === "win32") return { cmd: "cmd", args: ["/c", "start", '""'] };
  return { cmd: "xdg-open", args: [] };
}

/**
 * Opens `url` in the system browser. Resolves false (never throws) when no browser could
 * be started, so the caller can print the URL instead.
 */
export function openInBrowser(url: string): Promise<boolean> {
  const { cmd, args } = opener();
  return new Promise((resolve) => {
    try {
      const child = spawn(cmd, [...args, url], { stdio: "ignore", detached: true });
      // The opener exits non-zero when it finds no browser (no display, nothing installed);
      // one still running after a moment has handed the URL over.
      const timer = setTimeout(() => {
        child.unref();
        resolve(true);
      }, 3000);
      timer.unref();
      child.once("error", () => {
        clearTimeout(timer);
        resolve(false);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
    } catch {
      resolve(false);
    }
  });
}
