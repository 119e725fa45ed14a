/**
 * ferry's app config and app folders: `ferry.conf.json` (or a Tauri app's `tauri.conf.json`,
 * read as-is) and the per-platform folders Tauri's path API names (`appData`, `appConfig`, …).
 *
 * @example
 * const config = await loadAppConfig();
 * const dirs = appDirs(config.identifier);
 */

export { AppConfigError, CONFIG_FILES, loadAppConfig, parseAppConfig } from "./app-config.ts";
export type { AppConfig, AppConfigProblem, AssetProtocolConfig, HookCommand, WindowConfig } from "./app-config.ts";
export { appDirs } from "./dirs.ts";
export type { AppDirs, AppDirsOptions } from "./dirs.ts";
