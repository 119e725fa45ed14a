/**
 * Checking capability and permission files as they are read: every field Tauri v2 defines,
 * with its type; anything else is a problem named with its file and field.
 */

import type { Capability, PermissionDef, PermissionEntry, PermissionManifest, PermissionSetDef, Platform } from "./types.ts";

/** One thing wrong in the access configuration, with where it is. */
export interface Problem {
  kind:
    | "invalid_file"
    | "unknown_permission"
    | "unknown_command"
    | "duplicate"
    | "cycle"
    | "invalid_scope"
    | "unmatched_capability"
    | "ungranted_command"
    | "missing_plugin";
  message: string;
  file?: string;
  capability?: string;
  identifier?: string;
  suggestion?: string;
  /** For `missing_plugin`: the plugin not installed (`shell`, `core:menu`). */
  plugin?: string;
}

/** Thrown at start-up when the access configuration is broken; lists every problem. */
export class AccessConfigError extends Error {
  override name = "AccessConfigError";
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(`access configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p.message}`).join("\n")}`);
    this.problems = problems;
  }
}

const PLATFORMS: readonly Platform[] = ["linux", "macOS", "windows", "iOS", "android"];
const CAPABILITY_FIELDS = new Set([
  "$schema",
  "identifier",
  "description",
  "local",
  "remote",
  "windows",
  "webviews",
  "permissions",
  "platforms",
]);
const IDENTIFIER = /^[a-z0-9][a-z0-9_:.-]*$/i;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");

function fail(where: string, message: string): never {
  throw new AccessConfigError([{ kind: "invalid_file", message: `${where}: ${message}`, file: where }]);
}

/** Checks one capability object; throws `AccessConfigError` naming the field. */
export function parseCapability(value: unknown, where: string): Capability {
  if (!isObject(value)) fail(where, "a capability must be a JSON object");
  for (const key of Object.keys(value)) {
    if (!CAPABILITY_FIELDS.has(key)) fail(where, `unknown field "${key}" (fields: ${[...CAPABILITY_FIELDS].slice(1).join(", ")})`);
  }
  const { identifier, description, local, remote, windows, webviews, permissions, platforms } = value;
  if (typeof identifier !== "string" || !IDENTIFIER.test(identifier))
    fail(where, `"identifier" must be a name like "default", got ${JSON.stringify(identifier)}`);
  if (description !== undefined && typeof description !== "string") fail(where, `"description" must be a string`);
  if (local !== undefined && typeof local !== "boolean") fail(where, `"local" must be true or false`);
  if (remote !== undefined && !(isObject(remote) && isStringArray(remote.urls))) fail(where, `"remote" must be { "urls": [ … ] }`);
  if (windows !== undefined && !isStringArray(windows)) fail(where, `"windows" must be an array of label globs`);
  if (webviews !== undefined && !isStringArray(webviews)) fail(where, `"webviews" must be an array of label globs`);
  if (platforms !== undefined && !(isStringArray(platforms) && platforms.every((p) => PLATFORMS.includes(p as Platform)))) {
    fail(where, `"platforms" must list some of ${PLATFORMS.join(", ")}`);
  }
  if (!Array.isArray(permissions)) fail(where, `"permissions" must be an array`);
  const entries: PermissionEntry[] = permissions.map((p, i) => {
    if (typeof p === "string") return p;
    if (isObject(p) && typeof p.identifier === "string") {
      for (const key of Object.keys(p)) {
        if (!["identifier", "allow", "deny"].includes(key))
          fail(where, `permissions[${i}]: unknown field "${key}" (use identifier, allow, deny)`);
      }
      if (p.allow !== undefined && !Array.isArray(p.allow)) fail(where, `permissions[${i}].allow must be an array of scope entries`);
      if (p.deny !== undefined && !Array.isArray(p.deny)) fail(where, `permissions[${i}].deny must be an array of scope entries`);
      return { identifier: p.identifier, ...(p.allow ? { allow: p.allow } : {}), ...(p.deny ? { deny: p.deny } : {}) };
    }
    fail(where, `permissions[${i}] must be an identifier or { "identifier", "allow"?, "deny"? }`);
  });
  const cap: Capability = { identifier, permissions: entries };
  if (description !== undefined) cap.description = description;
  if (local !== undefined) cap.local = local;
  if (remote !== undefined) cap.remote = { urls: [...(remote.urls as string[])] };
  if (windows !== undefined) cap.windows = windows;
  if (webviews !== undefined) cap.webviews = webviews;
  if (platforms !== undefined) cap.platforms = platforms as Platform[];
  if (!cap.windows?.length && !cap.webviews?.length) fail(where, `capability "${identifier}" names no "windows" (or "webviews")`);
  return cap;
}

/**
 * Reads a capability file's content: one capability, `{ "capabilities": [...] }`, or an
 * array of capabilities (all forms Tauri accepts).
 */
export function parseCapabilityFile(value: unknown, where: string): Capability[] {
  if (Array.isArray(value)) return value.map((c, i) => parseCapability(c, `${where}[${i}]`));
  if (isObject(value) && Array.isArray(value.capabilities) && value.identifier === undefined) {
    return value.capabilities.map((c, i) => parseCapability(c, `${where} capabilities[${i}]`));
  }
  return [parseCapability(value, where)];
}

function parsePermission(value: unknown, where: string): PermissionDef {
  if (!isObject(value) || typeof value.identifier !== "string" || !IDENTIFIER.test(value.identifier)) {
    fail(where, `a permission needs an "identifier"`);
  }
  const def: PermissionDef = { identifier: value.identifier };
  if (typeof value.description === "string") def.description = value.description;
  if (value.commands !== undefined) {
    const c = value.commands;
    if (!isObject(c) || (c.allow !== undefined && !isStringArray(c.allow)) || (c.deny !== undefined && !isStringArray(c.deny))) {
      fail(where, `permission "${value.identifier}": "commands" must be { "allow"?: [names], "deny"?: [names] }`);
    }
    def.commands = { ...(c.allow ? { allow: c.allow as string[] } : {}), ...(c.deny ? { deny: c.deny as string[] } : {}) };
  }
  if (value.scope !== undefined) {
    const s = value.scope;
    if (!isObject(s) || (s.allow !== undefined && !Array.isArray(s.allow)) || (s.deny !== undefined && !Array.isArray(s.deny))) {
      fail(where, `permission "${value.identifier}": "scope" must be { "allow"?: [...], "deny"?: [...] }`);
    }
    def.scope = { ...(s.allow ? { allow: s.allow as unknown[] } : {}), ...(s.deny ? { deny: s.deny as unknown[] } : {}) };
  }
  return def;
}

function parseSet(value: unknown, where: string): PermissionSetDef {
  if (!isObject(value) || typeof value.identifier !== "string" || !isStringArray(value.permissions)) {
    fail(where, `a permission set needs an "identifier" and "permissions": [identifiers]`);
  }
  return {
    identifier: value.identifier,
    permissions: value.permissions,
    ...(typeof value.description === "string" ? { description: value.description } : {}),
  };
}

/**
 * Reads a permission manifest file (the JSON twin of Tauri's permission TOML):
 * `{ "default"?: {permissions}, "permission"?: [...], "set"?: [...] }`; the plural
 * `permissions` / `sets` are accepted too.
 */
export function parsePermissionManifest(value: unknown, where: string): PermissionManifest {
  if (!isObject(value)) fail(where, "a permission file must be an object");
  const manifest: PermissionManifest = {};
  if (value.default !== undefined) {
    const d = value.default;
    if (!isObject(d) || !isStringArray(d.permissions)) fail(where, `"default" must be { "permissions": [identifiers] }`);
    manifest.default = { permissions: d.permissions, ...(typeof d.description === "string" ? { description: d.description } : {}) };
  }
  const perms = value.permission ?? value.permissions;
  if (perms !== undefined) {
    if (!Array.isArray(perms)) fail(where, `"permission" must be an array`);
    manifest.permissions = perms.map((p, i) => parsePermission(p, `${where} permission[${i}]`));
  }
  const sets = value.set ?? value.sets;
  if (sets !== undefined) {
    if (!Array.isArray(sets)) fail(where, `"set" must be an array`);
    manifest.sets = sets.map((s, i) => parseSet(s, `${where} set[${i}]`));
  }
  return manifest;
}
