/**
 * The JSON Schema of capability files, so editors complete fields and permission
 * identifiers. `schema/capability.schema.json` ships the one for ferry's own plugins;
 * `ferry schema <config>` writes one that also knows an app's commands and sets.
 */

import { PermissionRegistry } from "./registry.ts";
import type { PluginAccess } from "./types.ts";

/** The schema for capability files, listing the identifiers `registry` knows. */
export function capabilitySchema(registry: PermissionRegistry): Record<string, unknown> {
  const known = [...registry.nodes.values()]
    .map((n) => ({ const: n.identifier, description: n.description ?? (n.kind === "set" ? `Set: ${n.members.join(", ")}` : n.identifier) }))
    .sort((a, b) => a.const.localeCompare(b.const));
  const identifier = {
    anyOf: [
      ...known,
      { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_:.-]*$", description: "A permission of the app or of a plugin not listed here." },
    ],
  };
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "ferry capability",
    description: "Which windows may call which commands, in Tauri v2's capability format. Everything not granted is denied.",
    type: "object",
    required: ["identifier", "permissions"],
    additionalProperties: false,
    properties: {
      $schema: { type: "string" },
      identifier: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_:.-]*$", description: "Unique name of this capability." },
      description: { type: "string" },
      local: { type: "boolean", default: true, description: "Whether the app's own pages get this capability." },
      remote: {
        type: "object",
        required: ["urls"],
        additionalProperties: false,
        properties: {
          urls: { type: "array", items: { type: "string" }, description: "URL patterns of remote pages this capability applies to." },
        },
      },
      windows: { type: "array", items: { type: "string" }, description: 'Window label globs, e.g. "main" or "editor-*".' },
      webviews: { type: "array", items: { type: "string" }, description: "Webview label globs." },
      platforms: { type: "array", items: { enum: ["linux", "macOS", "windows", "iOS", "android"] } },
      permissions: {
        type: "array",
        description: "Permission identifiers, or { identifier, allow, deny } to add scope.",
        items: {
          anyOf: [
            { $ref: "#/definitions/identifier" },
            {
              type: "object",
              required: ["identifier"],
              additionalProperties: false,
              properties: {
                identifier: { $ref: "#/definitions/identifier" },
                allow: { type: "array", items: { $ref: "#/definitions/scopeEntry" } },
                deny: { type: "array", items: { $ref: "#/definitions/scopeEntry" } },
              },
            },
          ],
        },
      },
    },
    definitions: {
      identifier,
      scopeEntry: {
        anyOf: [
          { type: "string", description: 'A path pattern, e.g. "$APPDATA/**".' },
          { type: "object", properties: { path: { type: "string", description: 'A path pattern, e.g. "$HOME/notes/*.md".' } } },
        ],
      },
    },
  };
}

/** The schema for apps with ferry's own plugins (what ships in `schema/`). */
export function builtinCapabilitySchema(plugins: readonly PluginAccess[]): Record<string, unknown> {
  return capabilitySchema(new PermissionRegistry([], plugins));
}
