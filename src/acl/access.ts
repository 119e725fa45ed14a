/**
 * Access resolution: which capabilities a window matches, what they grant, and the
 * decision for each call. Deny by default, deny beats allow, scopes stay per window.
 */

import { suggest } from "../protocol/names.ts";
import type { AccessDecision, Authorize, LogEntry } from "../backend/app.ts";
import { matchesLabel } from "./glob.ts";
import { AccessConfigError, type Problem } from "./parse.ts";
import { ownerOf, PermissionRegistry, pluginOf } from "./registry.ts";
import type { CommandScope, LoadedCapability, PermissionManifest, Platform, PluginAccess } from "./types.ts";

/** What `new AccessControl` resolves: capabilities, commands, plugins and app permissions. */
export interface AccessOptions {
  /** The capabilities in force (already filtered to the enabled ones). */
  capabilities: LoadedCapability[];
  /** The app's own command names (as registered in createApp). */
  commands: readonly string[];
  /** Plugins besides the built-in event plugin, with their manifests. */
  plugins?: readonly PluginAccess[];
  /** The app's own permissions and sets (from `permissions/` or code). */
  permissions?: PermissionManifest;
  /**
   * `"deny"` (default): app commands need a grant like every other command.
   * `"allow"`: Tauri's behaviour, for ports: app commands are allowed to any window that
   * matches a capability, unless a capability denies them.
   */
  appCommands?: "deny" | "allow";
  /** The platform capabilities' `platforms` are checked against. Default: this machine's. */
  platform?: Platform;
  /** Throw `AccessConfigError` on unknown identifiers and other problems. Default true. */
  strict?: boolean;
  /**
   * Permissions of plugins this app does not have (`shell:allow-open`, `core:menu:default`,
   * `log:default` in a capability copied from a Tauri app): `"warn"` (default) grants them
   * nothing and reports each plugin once (`warnings`, and the `log`); `"error"` makes them
   * problems like unknown permissions.
   */
  missingPlugins?: "warn" | "error";
  /** Where the start-up warnings go. Default: the console (`[ferry] warn: …`). */
  log?: (entry: LogEntry) => void;
  /**
   * The app's own page origins (e.g. `() => [server.origin]` once `serveWs` listens). When
   * given, a page origin that is neither one of these nor named by some `remote.urls` gets
   * no capability at all. Without it, such an origin counts as local (connections without
   * an origin, as in-process transports make, always do).
   */
  localOrigins?: readonly string[] | (() => Iterable<string>);
}

interface Grant {
  permission: string;
  capability: string;
}

interface CommandGrants {
  allowedBy: Grant[];
  deniedBy: Grant[];
  scope: { allow: unknown[]; deny: unknown[] };
}

interface WindowGrants {
  capabilities: LoadedCapability[];
  commands: Map<string, CommandGrants>;
  /** Scope from command-less permissions (e.g. `fs:scope`), by owner. */
  global: Map<string, { allow: unknown[]; deny: unknown[] }>;
  /** Resolved scopes by command, kept so plugins can cache what they compile from them. */
  scopes: Map<string, CommandScope>;
}

/** This machine's platform in Tauri's spelling. */
export function currentPlatform(): Platform {
  if (process.platform === "darwin") return "macOS";
  if (process.platform === "win32") return "windows";
  if (process.platform === "android") return "android";
  return "linux";
}

/** Whether a capability's `remote.urls` admit a page origin (`*` matches within the host). */
function matchesRemote(cap: LoadedCapability, origin: string): boolean {
  return (cap.remote?.urls ?? []).some((url) => {
    const head = /^[a-z][a-z0-9+.-]*:\/\/[^/]+/i.exec(url)?.[0];
    if (!head) return false;
    const re = new RegExp(
      `^${head
        .split("*")
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*")}$`,
      "i",
    );
    return re.test(origin);
  });
}

interface MissingUse {
  identifier: string;
  where: string;
  extra: Partial<Problem>;
}

/** One problem per plugin not installed, naming it and every place its permissions are named. */
function missingPluginProblems(missing: Map<string, MissingUse[]>): Problem[] {
  return [...missing].map(([plugin, uses]) => {
    const ids = [...new Set(uses.map((u) => u.identifier))];
    const wheres = [...new Set(uses.map((u) => u.where))];
    const first = uses[0]!;
    return {
      kind: "missing_plugin",
      message:
        `plugin "${plugin}" is not installed, so ${ids.map((i) => `"${i}"`).join(", ")} (in ${wheres.join(", ")}) grant${ids.length === 1 ? "s" : ""} nothing` +
        (plugin.startsWith("core:")
          ? ` (ferry has no ${plugin.slice(5)} plugin yet)`
          : ` (add ferry's "${plugin}" plugin, or remove the permission${ids.length === 1 ? "" : "s"})`),
      identifier: first.identifier,
      plugin,
      ...first.extra,
    };
  });
}

const entryId = (e: LoadedCapability["permissions"][number]) => (typeof e === "string" ? e : e.identifier);
const describeCap = (c: LoadedCapability) => (c.file ? `"${c.identifier}" (${c.file})` : `"${c.identifier}"`);

/** The resolved access rules of an app; `authorize` plugs into `createApp`. */
export class AccessControl {
  readonly registry: PermissionRegistry;
  readonly capabilities: readonly LoadedCapability[];
  /** Everything wrong with the configuration (empty when it is sound). */
  readonly problems: Problem[];
  /** What is worth knowing but grants nothing: permissions of plugins the app does not have, one per plugin. */
  readonly warnings: Problem[] = [];
  readonly #appCommands: Set<string>;
  readonly #appCommandsMode: "deny" | "allow";
  readonly #platform: Platform;
  readonly #windows = new Map<string, WindowGrants>();
  readonly #localOrigins: AccessOptions["localOrigins"];

  constructor(options: AccessOptions) {
    this.registry = new PermissionRegistry(options.commands, options.plugins ?? [], options.permissions);
    this.capabilities = options.capabilities;
    this.#appCommands = new Set(options.commands);
    this.#appCommandsMode = options.appCommands ?? "deny";
    this.#platform = options.platform ?? currentPlatform();
    this.#localOrigins = options.localOrigins;
    const { problems: unknown, missing } = this.#findUnknown();
    const missingProblems = missingPluginProblems(missing);
    if (options.missingPlugins === "error") unknown.push(...missingProblems);
    else this.warnings.push(...missingProblems);
    this.problems = [...this.registry.problems, ...unknown];
    // Expanding every set once surfaces cycles.
    for (const id of this.registry.nodes.keys()) this.registry.expand(id);
    for (const p of this.registry.problems) if (!this.problems.includes(p)) this.problems.push(p);
    const ids = new Set<string>();
    for (const c of this.capabilities) {
      if (ids.has(c.identifier))
        this.problems.push({
          kind: "duplicate",
          message: `capability "${c.identifier}" is defined twice`,
          capability: c.identifier,
          ...(c.file ? { file: c.file } : {}),
        });
      ids.add(c.identifier);
    }
    if ((options.strict ?? true) && this.problems.length > 0) throw new AccessConfigError(this.problems);
    const log = options.log ?? ((e: LogEntry) => console.warn(`[ferry] ${e.level}: ${e.message}`));
    for (const w of this.warnings) log({ level: "warn", message: w.message });
  }

  /** Unknown identifiers (problems), and those of plugins not installed, by plugin (`missing`). */
  #findUnknown(): { problems: Problem[]; missing: Map<string, MissingUse[]> } {
    const problems: Problem[] = [];
    const missing = new Map<string, MissingUse[]>();
    const known = [...this.registry.nodes.keys()];
    const unknown = (identifier: string, where: string, extra: Partial<Problem>) => {
      const plugin = pluginOf(identifier);
      if (plugin !== undefined && !this.registry.hasPlugin(plugin)) {
        let uses = missing.get(plugin);
        if (!uses) missing.set(plugin, (uses = []));
        uses.push({ identifier, where, extra });
        return;
      }
      const suggestion = suggest(identifier, known);
      problems.push({
        kind: "unknown_permission",
        message: `${where}: unknown permission "${identifier}"${suggestion ? `; did you mean "${suggestion}"?` : ""}`,
        identifier,
        ...(suggestion ? { suggestion } : {}),
        ...extra,
      });
    };
    for (const cap of this.capabilities) {
      for (const entry of cap.permissions) {
        const id = entryId(entry);
        const plugin = pluginOf(id);
        // A core plugin ferry lacks still has its empty `default` node (for `core:default`); naming it is reported too.
        if (!this.registry.nodes.has(id) || (plugin !== undefined && !this.registry.hasPlugin(plugin))) {
          unknown(id, `capability ${describeCap(cap)}`, { capability: cap.identifier, ...(cap.file ? { file: cap.file } : {}) });
        }
      }
    }
    for (const { set, member } of this.registry.danglingMembers()) unknown(member, `permission set "${set}"`, {});
    return { problems, missing };
  }

  /**
   * Whether a page origin is remote: it matches some capability's `remote.urls`. Pages on
   * the app's own origin (or an allowed dev server) are local.
   */
  isRemote(origin: string | undefined): boolean {
    return origin !== undefined && this.capabilities.some((c) => matchesRemote(c, origin));
  }

  /**
   * Whether a page origin is foreign: neither remote nor one of the app's own (only known
   * when `localOrigins` was given). A foreign page gets nothing.
   */
  isForeign(origin: string | undefined): boolean {
    if (origin === undefined || this.#localOrigins === undefined || this.isRemote(origin)) return false;
    const local = typeof this.#localOrigins === "function" ? this.#localOrigins() : this.#localOrigins;
    for (const o of local) if (o === origin) return false;
    return true;
  }

  /**
   * Whether a capability applies to a window label on this platform, for a local page or
   * (when `origin` is remote) for a page on that origin.
   */
  applies(cap: LoadedCapability, label: string, origin?: string): boolean {
    if (this.isForeign(origin)) return false;
    if (this.isRemote(origin) ? !matchesRemote(cap, origin!) : cap.local === false) return false;
    if (cap.platforms && !cap.platforms.includes(this.#platform)) return false;
    return matchesLabel(cap.windows ?? [], label) || matchesLabel(cap.webviews ?? [], label);
  }

  /** The capabilities that apply to a window label (and page origin). */
  capabilitiesFor(label: string, origin?: string): LoadedCapability[] {
    return this.capabilities.filter((c) => this.applies(c, label, origin));
  }

  /** Origins named exactly by `remote.urls`, for the ws transport's `origins` allowlist. */
  remoteOrigins(): string[] {
    const out = new Set<string>();
    for (const c of this.capabilities) {
      for (const url of c.remote?.urls ?? []) {
        const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/]+/i.exec(url)?.[0];
        if (origin && !origin.includes("*")) out.add(origin);
      }
    }
    return [...out];
  }

  #grants(label: string, origin?: string): WindowGrants {
    const foreign = this.isForeign(origin);
    const key = foreign || this.isRemote(origin) ? `${label}\n${origin}` : label;
    let g = this.#windows.get(key);
    if (g) return g;
    if (foreign) {
      // Not cached: the app's own origins may be learnt later (a port chosen at listen).
      return { capabilities: [], commands: new Map(), global: new Map(), scopes: new Map() };
    }
    g = { capabilities: this.capabilitiesFor(label, origin), commands: new Map(), global: new Map(), scopes: new Map() };
    const rec = (cmd: string) => {
      let r = g!.commands.get(cmd);
      if (!r) g!.commands.set(cmd, (r = { allowedBy: [], deniedBy: [], scope: { allow: [], deny: [] } }));
      return r;
    };
    for (const cap of g.capabilities) {
      for (const entry of cap.permissions) {
        const id = entryId(entry);
        const extraAllow = typeof entry === "string" ? [] : (entry.allow ?? []);
        const extraDeny = typeof entry === "string" ? [] : (entry.deny ?? []);
        for (const leaf of this.registry.expand(id)) {
          const grant = { permission: id, capability: cap.identifier };
          const allow = [...leaf.scope.allow, ...extraAllow];
          const deny = [...leaf.scope.deny, ...extraDeny];
          for (const cmd of leaf.deny) rec(cmd).deniedBy.push(grant);
          for (const cmd of leaf.allow) {
            const r = rec(cmd);
            r.allowedBy.push(grant);
            r.scope.allow.push(...allow);
            r.scope.deny.push(...deny);
          }
          if (leaf.allow.length === 0 && leaf.deny.length === 0) {
            let s = g.global.get(leaf.owner);
            if (!s) g.global.set(leaf.owner, (s = { allow: [], deny: [] }));
            s.allow.push(...allow);
            s.deny.push(...deny);
          }
        }
      }
    }
    this.#windows.set(key, g);
    return g;
  }

  /** The scope a window holds for a command: the command's own plus its plugin's global scope. */
  scopeFor(label: string, command: string, origin?: string): CommandScope {
    const g = this.#grants(label, origin);
    const cached = g.scopes.get(command);
    if (cached) return cached;
    const own = g.commands.get(command)?.scope ?? { allow: [], deny: [] };
    const global = g.global.get(ownerOf(command)) ?? { allow: [], deny: [] };
    const scope: CommandScope = { allow: [...own.allow, ...global.allow], deny: [...own.deny, ...global.deny] };
    g.scopes.set(command, scope);
    return scope;
  }

  /** The decision for one call. `dev` adds the capability files consulted to the message. */
  decide(label: string, command: string, dev = false, origin?: string): AccessDecision {
    const g = this.#grants(label, origin);
    const r = g.commands.get(command);
    if (r && r.deniedBy.length === 0 && r.allowedBy.length > 0) return { allowed: true, scope: this.scopeFor(label, command, origin) };
    if (!r?.deniedBy.length && this.#appCommandsMode === "allow" && this.#appCommands.has(command) && g.capabilities.length > 0) {
      return { allowed: true, scope: this.scopeFor(label, command, origin) };
    }
    return this.#denial(g, label, command, r, dev);
  }

  #denial(g: WindowGrants, label: string, command: string, r: CommandGrants | undefined, dev: boolean): AccessDecision {
    const permissions = this.registry.grantsFor(command);
    const consulted = (g.capabilities.length > 0 ? g.capabilities : this.capabilities).map((c) => ({
      identifier: c.identifier,
      ...(c.file ? { file: c.file } : {}),
    }));
    let message: string;
    const data: Record<string, unknown> = { command, window: label, permissions };
    if (r?.deniedBy.length) {
      const by = r.deniedBy.map((d) => `"${d.permission}" in capability "${d.capability}"`).join(", ");
      message = `"${command}" is denied for window "${label}" by ${by} (deny beats allow)`;
      data.deniedBy = r.deniedBy;
    } else {
      const shown = permissions
        .slice(0, 3)
        .map((p) => `"${p}"`)
        .join(" or ");
      message =
        g.capabilities.length === 0
          ? `window "${label}" matches no capability, so it may not call "${command}"${shown ? `; grant ${shown} in a capability whose "windows" include "${label}"` : ""}`
          : `"${command}" is not allowed for window "${label}"${shown ? `; add ${shown} to its capability` : ""}`;
    }
    if (dev) {
      const files = consulted.map((c) => ("file" in c ? `${c.identifier} (${c.file})` : c.identifier));
      message +=
        g.capabilities.length === 0
          ? `. No capability matches "${label}"; capabilities loaded: ${files.join(", ") || "none"}`
          : `. Capabilities consulted: ${files.join(", ")}`;
      data.capabilities = consulted;
    }
    return { allowed: false, message, data };
  }

  /**
   * The `authorize` function for `createApp`. Its `grantedCommands` lets a dev-mode app list,
   * at start-up, grants of commands it does not register and commands nothing grants.
   */
  readonly authorize: Authorize = Object.assign(
    ({ window, command, dev, origin }: Parameters<Authorize>[0]) => this.decide(window, command, dev, origin),
    { grantedCommands: () => this.grantedCommands() },
  );

  /** Full command names some capability grants (app commands in `appCommands: "allow"` mode included). */
  grantedCommands(): Set<string> {
    const granted = new Set<string>(this.#appCommandsMode === "allow" ? this.#appCommands : []);
    for (const cap of this.capabilities) {
      for (const entry of cap.permissions)
        for (const leaf of this.registry.expand(entryId(entry))) leaf.allow.forEach((c) => granted.add(c));
    }
    return granted;
  }

  /** Full command names that no capability grants (for `ferry check`). */
  ungrantedCommands(): string[] {
    const granted = this.grantedCommands();
    return [...this.registry.commands].filter((c) => !granted.has(c));
  }

  /** Capabilities that apply to none of `labels` (for `ferry check`). */
  unmatchedCapabilities(labels: readonly string[]): LoadedCapability[] {
    const platformOk = (c: LoadedCapability) => !c.platforms || c.platforms.includes(this.#platform);
    return this.capabilities.filter(
      (c) => !platformOk(c) || !labels.some((l) => matchesLabel(c.windows ?? [], l) || matchesLabel(c.webviews ?? [], l)),
    );
  }
}
