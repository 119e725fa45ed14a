/**
 * Reading an app's access files: `capabilities/*.{json,toml}` and `permissions/*.{json,toml}`
 * in the app's folder, as in a Tauri v2 project, then resolving them into `AccessControl`.
 */

import { readdirSync, readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { parse as parseToml } from "smol-toml";
import { AccessControl, type AccessOptions } from "./access.ts";
import { AccessConfigError, parseCapability, parseCapabilityFile, parsePermissionManifest } from "./parse.ts";
import type { Capability, LoadedCapability, PermissionManifest } from "./types.ts";

/** Options of `loadAccess` / `loadAccessSync`: where the access files are, and what `AccessControl` takes besides them. */
export interface LoadAccessOptions extends Omit<AccessOptions, "capabilities" | "permissions"> {
  /** The app's folder, holding `capabilities/` and optionally `permissions/`. */
  root?: string;
  /**
   * Which capabilities are enabled: identifiers of capabilities in `capabilities/`, or
   * capability objects given in code. Default: every capability file.
   */
  capabilities?: (string | Capability)[];
  /** App permissions and sets declared in code, merged with `permissions/`. */
  permissions?: PermissionManifest;
}

interface RawFile {
  path: string;
  text: string;
}

const ACCESS_EXT = /\.(json|toml)$/i;

/** Parses a JSON or TOML access file; syntax errors name the file. */
function parseFile(file: RawFile, root: string): { where: string; value: unknown } {
  const where = relative(root, file.path) || file.path;
  const toml = /\.toml$/i.test(file.path);
  try {
    return { where, value: toml ? parseToml(file.text) : JSON.parse(file.text) };
  } catch (err) {
    const message = `${where}: not valid ${toml ? "TOML" : "JSON"} (${(err as Error).message.split("\n")[0]})`;
    throw new AccessConfigError([{ kind: "invalid_file", message, file: where }]);
  }
}

function mergeManifests(manifests: PermissionManifest[]): PermissionManifest | undefined {
  if (manifests.length === 0) return undefined;
  const out: PermissionManifest = { permissions: [], sets: [] };
  for (const m of manifests) {
    if (m.default) {
      out.default = { permissions: [...(out.default?.permissions ?? []), ...m.default.permissions] };
    }
    out.permissions!.push(...(m.permissions ?? []));
    out.sets!.push(...(m.sets ?? []));
  }
  return out;
}

function build(options: LoadAccessOptions, capabilityFiles: RawFile[] | undefined, permissionFiles: RawFile[] | undefined): AccessControl {
  const root = options.root ?? ".";
  if (capabilityFiles === undefined && options.capabilities === undefined) {
    // Most likely a wrong root: say so rather than deny every call in silence.
    const where = join(root, "capabilities");
    throw new AccessConfigError([
      { kind: "invalid_file", message: `no capabilities folder at ${where} (pass capabilities: [] to start with none)`, file: where },
    ]);
  }
  capabilityFiles ??= [];
  permissionFiles ??= [];
  const fromFiles: LoadedCapability[] = capabilityFiles.flatMap((f) => {
    const { where, value } = parseFile(f, root);
    return parseCapabilityFile(value, where).map((c) => ({ ...c, file: where }));
  });
  let capabilities: LoadedCapability[] = fromFiles;
  if (options.capabilities) {
    capabilities = options.capabilities.map((c, i) => {
      if (typeof c !== "string") return parseCapability(c, `capabilities[${i}] (in code)`);
      const found = fromFiles.find((f) => f.identifier === c);
      if (!found) {
        const known = fromFiles.map((f) => f.identifier).join(", ") || "none";
        throw new AccessConfigError([
          {
            kind: "invalid_file",
            message: `capability "${c}" is enabled but no file in capabilities/ defines it (found: ${known})`,
            capability: c,
          },
        ]);
      }
      return found;
    });
  }
  const manifests = permissionFiles.map((f) => {
    const { where, value } = parseFile(f, root);
    return parsePermissionManifest(value, where);
  });
  if (options.permissions) manifests.push(options.permissions);
  const permissions = mergeManifests(manifests);
  const { root: _root, capabilities: _caps, permissions: _perms, ...rest } = options;
  return new AccessControl({ ...rest, capabilities, ...(permissions ? { permissions } : {}) });
}

async function listAsync(dir: string): Promise<RawFile[] | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => ACCESS_EXT.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return Promise.all(names.map(async (n) => ({ path: join(dir, n), text: await readFile(join(dir, n), "utf8") })));
}

function listSync(dir: string): RawFile[] | undefined {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => ACCESS_EXT.test(n))
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return names.map((n) => ({ path: join(dir, n), text: readFileSync(join(dir, n), "utf8") }));
}

/**
 * Loads `capabilities/` and `permissions/` under `options.root` and resolves them.
 * Throws `AccessConfigError` listing every problem (unknown identifiers with did-you-mean).
 *
 * @example
 * const access = await loadAccess({ root: "src-app", commands: ["greet"], plugins: [fs] });
 * const app = createApp({ commands, plugins: [fs], authorize: access.authorize });
 */
export async function loadAccess(options: LoadAccessOptions): Promise<AccessControl> {
  const root = options.root ?? ".";
  const [caps, perms] = await Promise.all([listAsync(join(root, "capabilities")), listAsync(join(root, "permissions"))]);
  return build(options, caps, perms);
}

/** `loadAccess` for start-up code that cannot await (reads a handful of small files). */
export function loadAccessSync(options: LoadAccessOptions): AccessControl {
  const root = options.root ?? ".";
  return build(options, listSync(join(root, "capabilities")), listSync(join(root, "permissions")));
}

/** An app's access configuration as `ferry check` reads it: load options plus its window labels. */
export interface AccessConfig extends LoadAccessOptions {
  /** The window labels the app opens, to find capabilities that match none. */
  windows?: string[];
}

/** Types an access configuration module's default export (for `ferry check`). */
export function defineAccessConfig(config: AccessConfig): AccessConfig {
  return config;
}
