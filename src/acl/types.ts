/**
 * The shapes of Tauri v2's access-control files, as ferry reads them: capabilities
 * (`capabilities/*.json`) and permission manifests (plugins' and the app's own).
 */

/** A permission entry in a capability: an identifier, or one with extra scope. */
export type PermissionEntry = string | { identifier: string; allow?: unknown[]; deny?: unknown[] };

/** Platforms as Tauri names them. */
export type Platform = "linux" | "macOS" | "windows" | "iOS" | "android";

/** One capability file, field for field as in Tauri v2. */
export interface Capability {
  identifier: string;
  description?: string;
  /** Whether local pages (the app's own origin) get this capability. Default true. */
  local?: boolean;
  /** Pages on other origins that may use this capability (URL patterns). None by default. */
  remote?: { urls: string[] };
  /** Window label globs this capability applies to. */
  windows?: string[];
  /** Webview label globs; in ferry a webview is its window, so these add labels too. */
  webviews?: string[];
  /** Permission identifiers, optionally with scope. */
  permissions: PermissionEntry[];
  /** Platforms this capability applies to; all when absent. */
  platforms?: Platform[];
}

/** A permission: commands it allows or denies, and scope it adds. */
export interface PermissionDef {
  identifier: string;
  description?: string;
  commands?: { allow?: string[]; deny?: string[] };
  scope?: { allow?: unknown[]; deny?: unknown[] };
}

/** A named group of permissions (identifiers local to the manifest, or fully qualified). */
export interface PermissionSetDef {
  identifier: string;
  description?: string;
  permissions: string[];
}

/**
 * What a plugin (or the app) declares about access. `allow-<cmd>` / `deny-<cmd>` for
 * each command are generated; `default` is the set `<plugin>:default` grants.
 */
export interface PermissionManifest {
  default?: { description?: string; permissions: string[] };
  permissions?: PermissionDef[];
  sets?: PermissionSetDef[];
}

/** A plugin as the access layer sees it: its name, command names and manifest. */
export interface PluginAccess {
  name: string;
  commands: Record<string, unknown> | string[];
  permissions?: PermissionManifest;
}

/** A capability with where it came from, for messages and `ferry check`. */
export interface LoadedCapability extends Capability {
  /** The file it was read from; absent for capabilities given in code. */
  file?: string;
}

/** Scope values granted for one command: raw entries, read by the plugin that owns them. */
export interface CommandScope {
  allow: readonly unknown[];
  deny: readonly unknown[];
}
