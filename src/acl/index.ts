/**
 * ferry's access control: Tauri v2 capability files, permissions and scopes.
 *
 * @example
 * const access = loadAccessSync({ root: "app", commands: Object.keys(commands), plugins: [fs] });
 * const app = createApp({ commands, plugins: [fs], authorize: access.authorize });
 */

export { AccessControl, currentPlatform } from "./access.ts";
export type { AccessOptions } from "./access.ts";
export { defineAccessConfig, loadAccess, loadAccessSync } from "./load.ts";
export type { AccessConfig, LoadAccessOptions } from "./load.ts";
export { AccessConfigError, parseCapability, parseCapabilityFile, parsePermissionManifest } from "./parse.ts";
export type { Problem } from "./parse.ts";
export { CORE_PLUGINS } from "./registry.ts";
export { defaultPathVariables, PathScope, resolveScopedPath, BASE_DIRECTORY } from "./paths.ts";
export type { LiteralPath, PathVariables } from "./paths.ts";
export type {
  Capability,
  CommandScope,
  LoadedCapability,
  PermissionDef,
  PermissionEntry,
  PermissionManifest,
  PermissionSetDef,
  Platform,
  PluginAccess,
} from "./types.ts";
export { checkAccess } from "./check.ts";
export type { CheckReport } from "./check.ts";
