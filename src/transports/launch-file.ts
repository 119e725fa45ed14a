/**
 * Launch files: how a browser started by the system opener gets a window's token without
 * it showing in any process's arguments (`/proc/<pid>/cmdline` is readable by every local
 * user). The token goes into a small HTML page only the user can read — mode 0600, in a
 * fresh 0700 folder under `$XDG_RUNTIME_DIR` or the temp folder — that sends the browser on
 * to the page URL with the token in its fragment; only the file's path goes on a command
 * line. Jupyter opens its browser tab the same way.
 */

import { rmSync } from "node:fs";
import { mkdtemp, open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";

/** A written launch file. */
export interface LaunchFile {
  /** Absolute path of the file (0600, alone in a 0700 folder). */
  readonly path: string;
  /** The file's `file://` URL: what an opener's arguments may carry. */
  readonly url: string;
  /** True once the file is gone. */
  readonly removed: boolean;
  /** Deletes the file and its folder now; calling it again does nothing. */
  remove(): void;
}

/** Folders still on disk, deleted at process exit at the latest. */
const folders = new Set<string>();
let exitHookInstalled = false;

function removeFolder(folder: string): void {
  folders.delete(folder);
  try {
    rmSync(folder, { recursive: true, force: true });
  } catch {
    // Already gone, or its parent went away with the session: nothing left to protect.
  }
}

/** A fresh folder only this user can enter: under $XDG_RUNTIME_DIR (per user, in RAM) if usable. */
async function privateFolder(): Promise<string> {
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime)) {
    try {
      return await mkdtemp(join(runtime, "ferry-"));
    } catch {
      // Not there or not writable: the temp folder below is the fallback.
    }
  }
  // mkdtemp creates the folder 0700, so even in a shared /tmp nobody else can look inside.
  return mkdtemp(join(tmpdir(), "ferry-"));
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The page: replaces itself with `pageUrl` (script first; meta refresh and a link as fallbacks). */
function launchPage(pageUrl: string): string {
  const attr = escapeHtml(pageUrl);
  const js = JSON.stringify(pageUrl).replace(/</g, "\\u003c");
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>Opening the app…</title>
<script>location.replace(${js});</script>
<meta http-equiv="refresh" content="0;url=${attr}">
</head>
<body><p>Opening the app. If nothing happens, <a href="${attr}">open it here</a>.</p></body>
</html>
`;
}

/**
 * Writes a launch file that opens `pageUrl` (which carries the token in its fragment).
 * It deletes itself after `ttlMs` (0: never by time) and at process exit at the latest;
 * its owner deletes it once the page has connected.
 */
export async function writeLaunchFile(pageUrl: string, ttlMs: number): Promise<LaunchFile> {
  const folder = await privateFolder();
  folders.add(folder);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const f of [...folders]) removeFolder(f);
    });
  }
  const path = join(folder, "open.html");
  try {
    const handle = await open(path, "wx", 0o600);
    try {
      await handle.chmod(0o600); // exact, whatever the umask
      await handle.writeFile(launchPage(pageUrl));
    } finally {
      await handle.close();
    }
  } catch (err) {
    removeFolder(folder);
    throw err;
  }
  let removed = false;
  const timer = ttlMs > 0 && Number.isFinite(ttlMs) ? setTimeout(() => file.remove(), ttlMs) : undefined;
  timer?.unref();
  const file: LaunchFile = {
    path,
    url: pathToFileURL(path).href,
    get removed() {
      return removed;
    },
    remove() {
      if (removed) return;
      removed = true;
      clearTimeout(timer);
      removeFolder(folder);
    },
  };
  return file;
}
