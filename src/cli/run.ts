/**
 * Runs an app's backend entry: reads the app config, imports the entry module (its default
 * export is `defineBackend(…)`), builds the app with the window plugins, and serves it on
 * loopback at the app's stable host. `ferry start` runs it with a window engine of its own;
 * `ferry dev` runs it in a child process whose windows live in the parent's engine.
 */

import { join, resolve } from "node:path";
import type { App } from "../backend/app.ts";
import { isBackendSetup } from "../backend/entry.ts";
import { loadAppConfig, type AppConfig } from "../config/app-config.ts";
import { appDirs } from "../config/dirs.ts";
import { serveWs, type FerryServer } from "../transports/ws.ts";
import { appHostFor } from "../windows/index.ts";
import { createWindows, type Windows } from "../windows/manager.ts";
import { importTs } from "./import-ts.ts";

/** Where the backend entry is when the config does not say (`build.backend`). */
export const DEFAULT_BACKEND = "backend/main.ts";

/** Options of `runBackend`. */
export interface RunOptions {
  /** The app's folder, or its config file. */
  dir: string;
  /** Dev mode: dev errors and warnings; no frontend files served (the dev server serves them). */
  dev: boolean;
  /** The port; default a free one. */
  port?: number;
  /** Keep window tokens in this file (dev only), so a restarted backend accepts open pages. */
  tokenFile?: string;
  /** Further origins the backend accepts pages from (a dev server's own address). */
  origins?: string[];
}

/** A served app: its config, the app, its windows (not yet started) and the server. */
export interface RunningBackend {
  config: AppConfig;
  app: App<any>;
  windows: Windows;
  server: FerryServer;
}

/** Imports, builds and serves the app in `options.dir`; errors say which file and what to fix. */
export async function runBackend(options: RunOptions): Promise<RunningBackend> {
  const config = await loadAppConfig(options.dir);
  for (const field of config.unsupported) console.warn(`ferry: ${config.file}: ${field} is not supported and is ignored`);
  const entry = resolve(config.dir, config.build.backend ?? DEFAULT_BACKEND);
  let mod: { default?: unknown };
  try {
    mod = (await importTs(entry)) as { default?: unknown };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" && String((err as Error).message).includes(entry)) {
      throw new Error(`${entry}: no backend entry here (set "build.backend" in ${config.file} to move it)`);
    }
    throw err;
  }
  const setup = mod.default;
  if (!isBackendSetup(setup)) {
    throw new Error(`${entry}: its default export must be defineBackend((ctx) => createApp({ … })) from "ferry"`);
  }
  const windows = createWindows({ config });
  const app = await setup({
    dev: options.dev,
    dir: config.dir,
    config,
    dirs: appDirs(config.identifier),
    plugins: windows.plugins,
  });
  const labels = config.app.windows.map((w) => w.label);
  const server = await serveWs(app, {
    ...(options.dev ? {} : { root: join(config.dir, config.build.frontendDist ?? "dist") }),
    port: options.port ?? 0,
    windows: labels.length > 0 ? labels : ["main"],
    appHost: appHostFor(config.identifier),
    ...(options.tokenFile ? { tokenFile: options.tokenFile } : {}),
    ...(options.origins ? { origins: options.origins } : {}),
  });
  return { config, app, windows, server };
}
