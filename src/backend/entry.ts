/**
 * The backend entry of an app run by `ferry dev` and `ferry start`: a module whose default
 * export is `defineBackend((ctx) => createApp({ … }))`. The runner calls it with the app's
 * folder, config, data folders and the plugins it provides (the window plugins), then serves
 * the app; the module itself never listens on a port.
 */

import type { App, Plugin } from "./app.ts";
import type { AppConfig } from "../config/app-config.ts";
import type { AppDirs } from "../config/dirs.ts";

/** What the runner gives a backend entry. */
export interface BackendContext {
  /** Dev mode (`ferry dev`): internal errors carry their message, dev warnings are on. */
  dev: boolean;
  /** The app's folder (where `ferry.conf.json` and `capabilities/` are). */
  dir: string;
  /** The app config, read from `ferry.conf.json` (or `tauri.conf.json`). */
  config: AppConfig;
  /** The app's folders from its identifier: keep data under `dirs.appData`. */
  dirs: AppDirs;
  /** Plugins the runner provides (Tauri's window, webview and app commands): pass them to `createApp`. */
  plugins: Plugin[];
}

/** A backend entry's setup function, as `defineBackend` marks it. */
export type BackendSetup<A extends App<any> = App<any>> = ((ctx: BackendContext) => A | Promise<A>) & { readonly ferryBackend: true };

/**
 * Marks the default export of an app's backend entry (`backend/main.ts`): `setup` builds the
 * app from the context the runner gives it.
 *
 * @example
 * export function createBackend(ctx: BackendContext) {
 *   return createApp({ dev: ctx.dev, plugins: ctx.plugins, authorize: allowAll, commands: { ping: () => "pong" } });
 * }
 * export type App = ReturnType<typeof createBackend>;
 * export default defineBackend(createBackend);
 */
export function defineBackend<A extends App<any>>(setup: (ctx: BackendContext) => A | Promise<A>): BackendSetup<A> {
  if (typeof setup !== "function") throw new TypeError("defineBackend(setup): setup must be a function (ctx) => createApp({ … })");
  return Object.assign((ctx: BackendContext) => setup(ctx), { ferryBackend: true as const });
}

/** True for a value `defineBackend` made. */
export function isBackendSetup(value: unknown): value is BackendSetup {
  return typeof value === "function" && (value as { ferryBackend?: unknown }).ferryBackend === true;
}
