/**
 * The `path` core plugin: what `@tauri-apps/api/path` calls (`plugin:path|resolve_directory`,
 * `resolve`, `normalize`, `join`, `dirname`, `extname`, `basename`, `is_absolute`), with
 * Tauri's results and error strings. The folders come from the app's `identifier` by the same
 * function as the fs scopes' variables (`appDirs` in `ferry/config`), so `appDataDir()` is the
 * folder `$APPDATA` names. Permissions are Tauri's: `core:path:default` grants every command.
 *
 * Path strings are handled as Rust's `Path` handles them on this platform (Tauri's commands are
 * thin wrappers over it); only POSIX separators are tested here.
 */

import { isAbsolute as nodeIsAbsolute, resolve as nodeResolve, sep as nodeSep } from "node:path";
import { FerryError } from "../protocol/errors.ts";
import { BASE_DIRECTORY, defaultPathVariables, type PathVariables } from "../acl/paths.ts";
import type { PermissionManifest } from "../acl/types.ts";
import type { PluginContext } from "../backend/app.ts";

/** Options of `pathPlugin`: the app's identity, which names its folders. */
export interface PathPluginOptions {
  /** The app's identifier (`config.identifier`): `appDataDir()` is `<data>/<identifier>`. */
  identifier: string;
  /** The app's resource folder, for `resourceDir()` and `BaseDirectory.Resource`. */
  resourceDir?: string;
  /** Overrides for the folders by variable name without `$` (`{ APPDATA: "/tmp/x" }`), e.g. in tests. */
  variables?: PathVariables;
  /** The folder `resolve` starts from. Default: the backend's current folder. */
  cwd?: string;
}

/** `@tauri-apps/api/path`'s commands, as capabilities name them (`core:path:allow-join` …). */
export const PATH_COMMANDS = [
  "resolve_directory",
  "resolve",
  "normalize",
  "join",
  "dirname",
  "extname",
  "basename",
  "is_absolute",
] as const;

const PERMISSIONS: PermissionManifest = {
  default: {
    description: "Every path command (they read no files; they name the app's folders and work on path strings).",
    permissions: PATH_COMMANDS.map((c) => `allow-${c.replace(/_/g, "-")}`),
  },
};

/** A plain string error, as Tauri's path commands reject (the bridge passes the message). */
const failure = (message: string, data?: unknown) => new FerryError("path", message, data);

function stringArg(args: Record<string, unknown>, key: string, cmd: string): string {
  const v = args[key];
  if (typeof v !== "string") throw new FerryError("invalid_args", `invalid args \`${key}\` for command \`${cmd}\`: expected a string`);
  return v;
}

function stringList(args: Record<string, unknown>, key: string, cmd: string): string[] {
  const v = args[key];
  if (!Array.isArray(v) || !v.every((p) => typeof p === "string")) {
    throw new FerryError("invalid_args", `invalid args \`${key}\` for command \`${cmd}\`: expected a list of strings`);
  }
  return v as string[];
}

const isSep = (c: string) => c === "/" || (nodeSep === "\\" && c === "\\");
const SPLIT = nodeSep === "\\" ? /[\\/]+/ : /\/+/;

/**
 * A path's parts as Rust's `Path::components` gives them: whether it is rooted, then its
 * names, `.` only as the first part of a relative path, `..` kept.
 */
function components(path: string): { rooted: boolean; parts: string[] } {
  const rooted = path.length > 0 && isSep(path[0]!);
  const raw = path.split(SPLIT).filter((p) => p !== "");
  const parts = raw.filter((p, i) => p !== "." || (i === 0 && !rooted && /^\.(?:[\\/]|$)/.test(path)));
  return { rooted, parts };
}

const build = (rooted: boolean, parts: string[]) => (rooted ? nodeSep : "") + parts.join(nodeSep);

/** Tauri's `normalize_path_no_absolute`: drops `.`, folds `..` into its parent, never makes the path absolute. */
function normalizeNoAbsolute(path: string): string {
  const { rooted, parts } = components(path);
  const out: string[] = [];
  for (const p of parts) {
    if (p === ".") continue;
    if (p === "..") out.pop();
    else out.push(p);
  }
  return build(rooted, out);
}

/** Rust's `Path::file_name`: the last part when it is a name (not `..`, not the root). */
function fileName(path: string): string | undefined {
  const { parts } = components(path);
  const last = parts.at(-1);
  return last === undefined || last === "." || last === ".." ? undefined : last;
}

/** Rust's `Path::parent`: undefined for the root and for an empty path. */
function parent(path: string): string | undefined {
  const { rooted, parts } = components(path);
  if (parts.length === 0) return undefined;
  return build(rooted, parts.slice(0, -1));
}

/** Rust's `Path::extension`: after the last `.` of the name, unless the name starts with its only `.`. */
function extension(path: string): string | undefined {
  const name = fileName(path);
  if (name === undefined) return undefined;
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? undefined : name.slice(dot + 1);
}

/**
 * Creates the path plugin. Its folders come from `identifier`, as `appDirs(identifier)` gives
 * them; a folder this platform does not have (`runtimeDir()` outside Linux) rejects with
 * Tauri's `unknown path`.
 *
 * @example
 * const config = await loadAppConfig();
 * createApp({ plugins: [pathPlugin({ identifier: config.identifier }), fsPlugin({ identifier: config.identifier })], authorize });
 */
export function pathPlugin(options: PathPluginOptions) {
  const variables: PathVariables = {
    ...defaultPathVariables({
      identifier: options.identifier,
      ...(options.resourceDir ? { resourceDir: options.resourceDir } : {}),
    }),
    ...options.variables,
  };
  type Args = Record<string, unknown>;
  const commands = {
    /** `{ directory: BaseDirectory, path? }` → the folder, with `path` under it (no `..`, as Tauri's `SafePathBuf`). */
    resolve_directory(args: Args, _ctx: PluginContext) {
      const dir = args.directory;
      const name = typeof dir === "number" ? BASE_DIRECTORY[dir] : undefined;
      if (name === undefined) {
        throw new FerryError(
          "invalid_args",
          "invalid args `directory` for command `resolve_directory`: expected a BaseDirectory number (1 to 23)",
        );
      }
      const base = variables[name];
      if (base === undefined) throw failure("unknown path", { directory: dir });
      if (args.path === undefined || args.path === null) return base;
      const path = stringArg(args, "path", "resolve_directory");
      if (components(path).parts.includes("..")) {
        throw new FerryError(
          "invalid_args",
          "invalid args `path` for command `resolve_directory`: cannot traverse directory, rewrite the path without the use of `../`",
        );
      }
      if (nodeIsAbsolute(path)) return path;
      if (path === "") return base;
      return isSep(base.at(-1)!) ? base + path : base + nodeSep + path;
    },
    /** `{ paths }` → an absolute path: from the backend's folder, each absolute part starting over. */
    resolve(args: Args) {
      return nodeResolve(options.cwd ?? process.cwd(), ...stringList(args, "paths", "resolve"));
    },
    /** `{ path }` → `.` and `..` folded; `"."` and `".."` stay; a trailing separator stays. */
    normalize(args: Args) {
      const path = stringArg(args, "path", "normalize");
      const p = normalizeNoAbsolute(path);
      if (p === "" && path === "..") return "..";
      if (p === "" && path === ".") return ".";
      return path.length > 0 && isSep(path.at(-1)!) && !p.endsWith(nodeSep) ? p + nodeSep : p;
    },
    /** `{ paths }` → joined and normalized; a later absolute part does not start over (Tauri's rule). */
    join(args: Args) {
      const joined = stringList(args, "paths", "join")
        .map((p) => (p.length > 0 && isSep(p.at(-1)!) ? p : p + nodeSep))
        .join("");
      return normalizeNoAbsolute(joined) || ".";
    },
    dirname(args: Args) {
      const p = parent(stringArg(args, "path", "dirname"));
      if (p === undefined) throw failure("path does not have a parent");
      return p;
    },
    extname(args: Args) {
      const e = extension(stringArg(args, "path", "extname"));
      if (e === undefined) throw failure("path does not have an extension");
      return e;
    },
    /** `{ path, ext? }` → the last name, without `ext` when it ends with it. */
    basename(args: Args) {
      const name = fileName(stringArg(args, "path", "basename"));
      if (name === undefined) throw failure("path does not have a basename");
      const ext = args.ext;
      if (ext === undefined || ext === null) return name;
      if (typeof ext !== "string") throw new FerryError("invalid_args", "invalid args `ext` for command `basename`: expected a string");
      return name.endsWith(ext) ? name.slice(0, name.length - ext.length) : name;
    },
    is_absolute(args: Args) {
      return nodeIsAbsolute(stringArg(args, "path", "is_absolute"));
    },
  };
  return { name: "path" as const, commands, permissions: PERMISSIONS, variables };
}
