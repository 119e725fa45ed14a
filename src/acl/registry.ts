/**
 * The permission registry: every identifier a capability may name, built from the app's
 * commands, its plugins' manifests and the core plugins, in Tauri v2's naming:
 *
 * - app command `read_file`      → `allow-read-file`, `deny-read-file`
 * - plugin command `fs|stat`     → `fs:allow-stat`, `fs:deny-stat`, plus `fs:default` and sets
 * - core plugin command `event|listen` → `core:event:allow-listen`; `core:default` = every core default
 */

import type { PermissionManifest, PluginAccess } from "./types.ts";
import type { Problem } from "./parse.ts";
import { EVENT_COMMANDS, EVENT_PERMISSIONS } from "../backend/event-plugin.ts";

/** Plugins whose permissions live under `core:`, as in Tauri v2. */
export const CORE_PLUGINS = ["app", "event", "image", "menu", "path", "resources", "tray", "webview", "window"] as const;

/** The built-in event plugin's access manifest, from the plugin itself. */
export const EVENT_PLUGIN_ACCESS: PluginAccess = { name: "event", commands: [...EVENT_COMMANDS], permissions: EVENT_PERMISSIONS };

/** A leaf permission: full command names it allows or denies and the scope it carries. */
export interface PermissionNode {
  kind: "permission";
  identifier: string;
  /** `"app"` or `"plugin:<name>"`: whose scope a command-less permission widens. */
  owner: string;
  allow: string[];
  deny: string[];
  scope: { allow: unknown[]; deny: unknown[] };
  description?: string;
}

/** A set: identifiers (fully qualified) it stands for. */
export interface SetNode {
  kind: "set";
  identifier: string;
  owner: string;
  members: string[];
  description?: string;
}

export type RegistryNode = PermissionNode | SetNode;

/** `read_text_file` → `read-text-file`, Tauri's permission spelling of a command. */
export const hyphenate = (command: string): string => command.replace(/_/g, "-");

/** The owner of a full command name: `plugin:fs|stat` → `plugin:fs`, `greet` → `app`. */
export function ownerOf(command: string): string {
  const m = /^plugin:([^|]+)\|/.exec(command);
  return m ? `plugin:${m[1]}` : "app";
}

/**
 * The plugin an identifier belongs to: `shell:allow-open` → `shell`, `core:window:default` →
 * `core:window`; `undefined` for app permissions (no prefix) and `core:default`.
 */
export function pluginOf(identifier: string): string | undefined {
  const parts = identifier.split(":");
  if (parts.length < 2) return undefined;
  if (parts[0] === "core") return parts.length >= 3 ? `core:${parts[1]}` : undefined;
  return parts[0];
}

interface Source {
  owner: string;
  prefix: string;
  commands: string[];
  fullName(cmd: string): string;
  manifest: PermissionManifest | undefined;
}

/** Every identifier and what it stands for; problems found while building it. */
export class PermissionRegistry {
  readonly nodes = new Map<string, RegistryNode>();
  readonly problems: Problem[] = [];
  /** Every full command name known. */
  readonly commands = new Set<string>();
  readonly #cycles = new Set<string>();
  /** Installed plugins as identifiers name them: `fs`, `core:event`. */
  readonly #plugins = new Set<string>();

  constructor(appCommands: readonly string[], plugins: readonly PluginAccess[], appManifest?: PermissionManifest) {
    const byName = new Map<string, PluginAccess>([["event", EVENT_PLUGIN_ACCESS]]);
    for (const p of plugins) byName.set(p.name, p);
    const sources: Source[] = [{ owner: "app", prefix: "", commands: [...appCommands], fullName: (c) => c, manifest: appManifest }];
    for (const p of byName.values()) {
      const core = (CORE_PLUGINS as readonly string[]).includes(p.name);
      this.#plugins.add(core ? `core:${p.name}` : p.name);
      sources.push({
        owner: `plugin:${p.name}`,
        prefix: core ? `core:${p.name}:` : `${p.name}:`,
        commands: Array.isArray(p.commands) ? [...p.commands] : Object.keys(p.commands),
        fullName: (c) => `plugin:${p.name}|${c}`,
        manifest: p.permissions,
      });
    }
    for (const source of sources) this.#addSource(source);
    // Core plugins not present still have a (empty) default, so `core:window:default` is known.
    for (const name of CORE_PLUGINS) {
      const id = `core:${name}:default`;
      if (!this.nodes.has(id)) this.#add({ kind: "set", identifier: id, owner: `plugin:${name}`, members: [] });
    }
    this.#add({
      kind: "set",
      identifier: "core:default",
      owner: "core",
      members: CORE_PLUGINS.map((n) => `core:${n}:default`),
      description: "Default permissions of every core plugin (event, window, …).",
    });
  }

  /** Whether a plugin (as `pluginOf` names it) is installed, so its permissions are real. */
  hasPlugin(plugin: string): boolean {
    return this.#plugins.has(plugin);
  }

  #add(node: RegistryNode): void {
    if (this.nodes.has(node.identifier)) {
      this.problems.push({ kind: "duplicate", message: `permission "${node.identifier}" is declared twice`, identifier: node.identifier });
      return;
    }
    this.nodes.set(node.identifier, node);
  }

  #addSource(s: Source): void {
    const qualify = (id: string) => (id.includes(":") ? id : s.prefix + id);
    const known = new Set(s.commands);
    for (const cmd of s.commands) {
      const full = s.fullName(cmd);
      this.commands.add(full);
      const none = { allow: [], deny: [] };
      this.#add({
        kind: "permission",
        identifier: `${s.prefix}allow-${hyphenate(cmd)}`,
        owner: s.owner,
        allow: [full],
        deny: [],
        scope: none,
        description: `Allows the ${cmd} command.`,
      });
      this.#add({
        kind: "permission",
        identifier: `${s.prefix}deny-${hyphenate(cmd)}`,
        owner: s.owner,
        allow: [],
        deny: [full],
        scope: none,
        description: `Denies the ${cmd} command.`,
      });
    }
    const commandList = (names: readonly string[] | undefined, id: string): string[] =>
      (names ?? []).flatMap((c) => {
        if (!known.has(c)) {
          this.problems.push({ kind: "unknown_command", message: `permission "${id}" names unknown command "${c}"`, identifier: id });
          return [];
        }
        return [s.fullName(c)];
      });
    for (const p of s.manifest?.permissions ?? []) {
      const id = qualify(p.identifier);
      this.#add({
        kind: "permission",
        identifier: id,
        owner: s.owner,
        allow: commandList(p.commands?.allow, id),
        deny: commandList(p.commands?.deny, id),
        scope: { allow: [...(p.scope?.allow ?? [])], deny: [...(p.scope?.deny ?? [])] },
        ...(p.description ? { description: p.description } : {}),
      });
    }
    for (const set of s.manifest?.sets ?? []) {
      this.#add({
        kind: "set",
        identifier: qualify(set.identifier),
        owner: s.owner,
        members: set.permissions.map(qualify),
        ...(set.description ? { description: set.description } : {}),
      });
    }
    if (s.manifest?.default) {
      const d = s.manifest.default;
      this.#add({
        kind: "set",
        identifier: `${s.prefix}default`,
        owner: s.owner,
        members: d.permissions.map(qualify),
        ...(d.description ? { description: d.description } : {}),
      });
    }
  }

  /** The leaf permissions an identifier stands for; unknown members and cycles are reported once. */
  expand(identifier: string, stack: string[] = []): PermissionNode[] {
    const node = this.nodes.get(identifier);
    if (!node) return [];
    if (node.kind === "permission") return [node];
    if (stack.includes(identifier)) {
      if (this.#cycles.has(identifier)) return [];
      this.#cycles.add(identifier);
      this.problems.push({ kind: "cycle", message: `permission sets form a cycle: ${[...stack, identifier].join(" → ")}`, identifier });
      return [];
    }
    return node.members.flatMap((m) => this.expand(m, [...stack, identifier]));
  }

  /** Set members that name nothing, as problems (with did-you-mean). */
  danglingMembers(): { set: string; member: string }[] {
    const out: { set: string; member: string }[] = [];
    for (const node of this.nodes.values()) {
      if (node.kind !== "set") continue;
      for (const m of node.members) if (!this.nodes.has(m)) out.push({ set: node.identifier, member: m });
    }
    return out;
  }

  /** Identifiers that would grant `command`: its allow permissions first, then sets holding them. */
  grantsFor(command: string): string[] {
    const leaves: string[] = [];
    const sets: string[] = [];
    for (const node of this.nodes.values()) {
      if (node.kind === "permission" && node.allow.includes(command)) leaves.push(node.identifier);
    }
    for (const node of this.nodes.values()) {
      if (node.kind !== "set") continue;
      if (this.expand(node.identifier).some((leaf) => leaves.includes(leaf.identifier))) sets.push(node.identifier);
    }
    return [...leaves, ...sets];
  }
}
