/**
 * Finding a Chromium-family browser the system already has: `FERRY_BROWSER` if set, else
 * the usual install places of Chrome, Chromium, Edge and Brave. Only the Linux list is
 * exercised by ferry's tests; the macOS and Windows lists follow each vendor's documented
 * install folders.
 */

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { FerryError } from "../protocol/errors.ts";

/** Program names looked up on `PATH` (Linux and other Unix). */
const UNIX_NAMES = [
  "google-chrome-stable",
  "google-chrome",
  "chromium",
  "chromium-browser",
  "microsoft-edge-stable",
  "microsoft-edge",
  "brave-browser",
  "brave",
];

/** Fixed install places, in the order they are tried. */
function fixedPaths(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string[] {
  if (platform === "darwin") {
    const apps = [
      "Google Chrome.app/Contents/MacOS/Google Chrome",
      "Chromium.app/Contents/MacOS/Chromium",
      "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
      "Brave Browser.app/Contents/MacOS/Brave Browser",
    ];
    return [...apps.map((a) => `/Applications/${a}`), ...apps.map((a) => join(home, "Applications", a))];
  }
  if (platform === "win32") {
    const roots = [env.PROGRAMFILES, env["PROGRAMFILES(X86)"], env.LOCALAPPDATA].filter((r): r is string => !!r);
    const exes = [
      "Google\\Chrome\\Application\\chrome.exe",
      "Chromium\\Application\\chrome.exe",
      "Microsoft\\Edge\\Application\\msedge.exe",
      "BraveSoftware\\Brave-Browser\\Application\\brave.exe",
    ];
    return exes.flatMap((exe) => roots.map((root) => `${root}\\${exe}`));
  }
  return [
    "/opt/google/chrome/chrome",
    "/opt/microsoft/msedge/msedge",
    "/opt/brave.com/brave/brave",
    "/snap/bin/chromium",
    "/var/lib/flatpak/exports/bin/com.google.Chrome",
  ];
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where ferry looks, in order: the paths it would try on this platform. */
export function browserCandidates(options: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; home?: string } = {}): string[] {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const home = options.home ?? env.HOME ?? env.USERPROFILE ?? "";
  const onPath =
    platform === "win32"
      ? []
      : (env.PATH ?? "")
          .split(delimiter)
          .filter(Boolean)
          .flatMap((dir) => UNIX_NAMES.map((name) => join(dir, name)));
  return [...onPath, ...fixedPaths(platform, env, home)];
}

/**
 * The browser to drive: `FERRY_BROWSER` (which must be an executable file) or the first
 * candidate that is one. Throws kind `unsupported` naming every place it looked.
 */
export function findBrowser(options: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; home?: string } = {}): string {
  const env = options.env ?? process.env;
  const chosen = env.FERRY_BROWSER;
  if (chosen) {
    if (isExecutable(chosen)) return chosen;
    throw new FerryError("unsupported", `FERRY_BROWSER=${chosen} is not an executable file`, { searched: [chosen] });
  }
  const candidates = browserCandidates(options);
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new FerryError(
    "unsupported",
    "no Chromium-family browser found (Chrome, Chromium, Edge or Brave). Install one (on Debian: apt-get install chromium) " +
      `or set FERRY_BROWSER to its executable. Looked for: ${UNIX_NAMES.join(", ")} on PATH, and ${fixedPaths(options.platform ?? process.platform, env, options.home ?? env.HOME ?? "").join(", ")}`,
    { searched: candidates },
  );
}
