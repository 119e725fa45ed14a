/**
 * `ferry/windows`: app windows. A window manager (`createWindows`) over a window engine
 * (`chromiumEngine`: a Chromium-family browser the system has, in app mode), and
 * `windowEngineFor`, which picks the engine or says why there can be no window here.
 */

import { join } from "node:path";
import type { FerryError } from "../protocol/errors.ts";
import { appDirs } from "../config/dirs.ts";
import { openInBrowser } from "../shell/open.ts";
import { chromiumEngine, type ChromiumEngineOptions } from "./chromium.ts";
import { findBrowser } from "./discover.ts";
import type { WindowEngine } from "./engine.ts";

export { chromiumEngine } from "./chromium.ts";
export type { ChromiumEngineOptions } from "./chromium.ts";
export { browserCandidates, findBrowser } from "./discover.ts";
export { createWindows } from "./manager.ts";
export { hostEngine, remoteEngine } from "./remote.ts";
export type { EngineHost, MessageLink, RemoteEngineInfo } from "./remote.ts";
export type { AppWindow, WindowEvent, Windows, WindowServer, WindowsOptions } from "./manager.ts";
export { ENGINE_OPERATIONS, LABEL_PATTERN, unsupported } from "./engine.ts";
export type {
  EngineOpenRequest,
  EngineOperation,
  EngineWindow,
  EngineWindowEvents,
  Position,
  Size,
  SupportMatrix,
  WindowEngine,
  WindowOptions,
} from "./engine.ts";

/** Options of `windowEngineFor`. */
export interface EngineChoice {
  /** The app's identifier (reverse domain): its browser profile lives in the app's local data folder. */
  identifier: string;
  /** The app's name: the window class the window manager sees. */
  name: string;
  /** Dev mode: DevTools allowed. */
  dev?: boolean;
  /** Origins besides the app's own its windows may navigate to (a dev server). */
  allowedOrigins?: string[];
  /** The environment to read (`DISPLAY`, `FERRY_BROWSER`, `XDG_DATA_HOME`). Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** The engine's profile folder. Default: `<app local data>/ferry/chromium` (`appDirs(identifier).appLocalData`). */
  profileDir?: string;
  /** Further engine options. */
  chromium?: Partial<ChromiumEngineOptions>;
}

/**
 * The app's own host name under `.localhost` (`serveWs({ appHost })`): its identifier, lower
 * case. App windows load the app from `http://<appHost>`, the same origin every run.
 *
 * @example
 * await serveWs(app, { root: "dist", appHost: appHostFor("dev.ferry.notes") }); // dev.ferry.notes.localhost
 */
export function appHostFor(identifier: string): string {
  return `${identifier.toLowerCase()}.localhost`;
}

/**
 * The window engine for this machine, or why there is none: no display (Linux without
 * `DISPLAY` / `WAYLAND_DISPLAY`), or no Chromium-family browser. The reason says how to
 * fix it; callers fall back to the system browser.
 *
 * @example
 * const choice = windowEngineFor({ identifier: "dev.ferry.notes", name: "notes" });
 * if ("engine" in choice) await windows.start(choice.engine, server, app);
 * else console.log(choice.reason);
 */
export function windowEngineFor(choice: EngineChoice): { engine: WindowEngine } | { reason: string } {
  const env = choice.env ?? process.env;
  if (process.platform === "linux" && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { reason: "no display (neither DISPLAY nor WAYLAND_DISPLAY is set); run it from a desktop session, or under xvfb-run" };
  }
  let executable: string;
  try {
    executable = findBrowser({ env });
  } catch (err) {
    return { reason: (err as FerryError).message };
  }
  const engine = chromiumEngine({
    profileDir: choice.profileDir ?? join(appDirs(choice.identifier, { env }).appLocalData, "ferry", "chromium"),
    appName: choice.name,
    executable,
    dev: choice.dev ?? false,
    allowedOrigins: choice.allowedOrigins ?? [],
    openExternal: openInBrowser,
    env,
    ...choice.chromium,
  });
  return { engine };
}
