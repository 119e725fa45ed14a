/**
 * Path scopes: allow/deny path patterns with Tauri's variables (`$HOME`, `$APPDATA`, …),
 * and the check every fs path goes through: no `..`, symlinks resolved to the real path of
 * the deepest existing ancestor, deny beats allow.
 */

import { lstat, readlink, realpath } from "node:fs/promises";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import { platformDirs, type AppDirs } from "../config/dirs.ts";
import { FerryError } from "../protocol/errors.ts";
import { compilePathGlob, GLOB_CHARS } from "./glob.ts";
import type { CommandScope } from "./types.ts";

/** Variable name (without `$`) → absolute directory. */
export type PathVariables = Record<string, string>;

/** Tauri's `BaseDirectory` numbers → the variable each stands for. */
export const BASE_DIRECTORY: Record<number, string> = {
  1: "AUDIO",
  2: "CACHE",
  3: "CONFIG",
  4: "DATA",
  5: "LOCALDATA",
  6: "DOCUMENT",
  7: "DOWNLOAD",
  8: "PICTURE",
  9: "PUBLIC",
  10: "VIDEO",
  11: "RESOURCE",
  12: "TEMP",
  13: "APPCONFIG",
  14: "APPDATA",
  15: "APPLOCALDATA",
  16: "APPCACHE",
  17: "APPLOG",
  18: "DESKTOP",
  19: "EXE",
  20: "FONT",
  21: "HOME",
  22: "RUNTIME",
  23: "TEMPLATE",
};

/** Each path variable → the `AppDirs` field it names (`$LOG` is Tauri's older name for `$APPLOG`). */
const VARIABLE_DIRS: Record<string, keyof AppDirs> = {
  HOME: "home",
  CONFIG: "config",
  DATA: "data",
  LOCALDATA: "localData",
  CACHE: "cache",
  APPCONFIG: "appConfig",
  APPDATA: "appData",
  APPLOCALDATA: "appLocalData",
  APPCACHE: "appCache",
  APPLOG: "appLog",
  LOG: "appLog",
  RUNTIME: "runtime",
  DESKTOP: "desktop",
  DOCUMENT: "document",
  DOWNLOAD: "download",
  PICTURE: "picture",
  AUDIO: "audio",
  VIDEO: "video",
  PUBLIC: "public",
  TEMPLATE: "template",
  FONT: "font",
  EXE: "executable",
  TEMP: "temp",
};

/**
 * The path variables for an app on this machine, the folders Tauri's path API gives per
 * platform (`appDirs` in `ferry/config`): `identifier` names the app's own folders
 * (`$APPDATA` = `$DATA/<identifier>`). A folder the platform does not have, or that cannot be
 * found (no home folder), has no variable, so a scope entry naming it grants nothing.
 */
export function defaultPathVariables(options: {
  identifier: string;
  resourceDir?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}): PathVariables {
  const dirs = platformDirs(options.identifier, {
    ...(options.env ? { env: options.env } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
  });
  const vars: PathVariables = {};
  for (const [name, field] of Object.entries(VARIABLE_DIRS)) {
    const dir = dirs[field];
    if (dir !== undefined) vars[name] = dir;
  }
  if (options.resourceDir) vars.RESOURCE = options.resourceDir;
  return vars;
}

/** Replaces `$NAME` at the start of a pattern; unknown variables make the entry unusable. */
export function expandVariables(pattern: string, vars: PathVariables): string | undefined {
  const m = /^\$([A-Z]+)(?=\/|$)/.exec(pattern);
  if (!m) return pattern.startsWith("$") ? undefined : pattern;
  const dir = vars[m[1]!];
  // An empty variable would turn "$HOME/**" into "/**": such an entry is unusable.
  return dir === undefined || dir === "" ? undefined : dir + pattern.slice(m[0].length);
}

const denied = (message: string, path: string) => new FerryError("permission_denied", message, { path });

/** A scope entry added by the backend for one exact path (a dialog's pick), never a pattern. */
export interface LiteralPath {
  literal: string;
  /** Also everything under it (a picked directory). */
  recursive?: boolean;
}

/** One compiled scope entry. */
interface Matcher {
  /** Whether the entry names `path`. */
  test(path: string): boolean;
  /** Whether the entry names `path` or a folder above it other than `/` (how deny entries are read). */
  testOrAncestor(path: string): boolean;
}

const MAX_LINKS = 40;

/**
 * The real path of `abs` (absolute, normalised, no `..`): the real path of its deepest
 * existing ancestor with the rest appended, following dangling symlinks to their target.
 */
export async function realPathOf(abs: string, hops = 0): Promise<string> {
  if (hops > MAX_LINKS) throw denied(`too many levels of symbolic links at ${abs}`, abs);
  const parts = abs.split("/").filter(Boolean);
  for (let i = parts.length; i >= 0; i--) {
    const prefix = "/" + parts.slice(0, i).join("/");
    let real: string;
    try {
      real = await realpath(prefix);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ELOOP") throw denied(`symbolic link loop at ${prefix}`, abs);
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
      const info = await lstat(prefix).catch(() => undefined);
      if (!info?.isSymbolicLink()) continue;
      // A dangling link: whatever is created through it lands at its target.
      const target = await readlink(prefix);
      const parent = await realPathOf(posix.dirname(prefix), hops + 1);
      real = await realPathOf(posix.normalize(posix.isAbsolute(target) ? target : posix.join(parent, target)), hops + 1);
    }
    return posix.join(real, ...parts.slice(i));
  }
  return "/";
}

/**
 * Why a scope entry cannot be used (unknown variable, relative, `..`, wrong shape), or
 * undefined when it is fine. `ferry check` reports these; at run time an unusable deny
 * entry refuses every path of that scope rather than silently denying nothing.
 */
export function scopeEntryProblem(entry: unknown, vars: PathVariables): string | undefined {
  if (typeof entry === "object" && entry !== null && typeof (entry as LiteralPath).literal === "string") return undefined;
  const raw =
    typeof entry === "string" ? entry : typeof entry === "object" && entry !== null ? (entry as { path?: unknown }).path : undefined;
  if (typeof raw !== "string") return `scope entry ${JSON.stringify(entry)} must be a path pattern or { "path": pattern }`;
  const expanded = expandVariables(raw, vars);
  if (expanded === undefined) {
    const name = /^\$([A-Za-z_]*)/.exec(raw)?.[1] ?? "";
    if (vars[name] !== undefined) return `scope entry "${raw}" uses $${name}, which is empty here`;
    const close = Object.keys(vars).find((v) => v.toLowerCase() === name.toLowerCase() || v.startsWith(name.slice(0, 4).toUpperCase()));
    return `scope entry "${raw}" uses unknown variable $${name}${close ? ` (did you mean $${close}?)` : ""}`;
  }
  if (!posix.isAbsolute(expanded)) return `scope entry "${raw}" is not an absolute path`;
  if (expanded.split("/").includes("..")) return `scope entry "${raw}" contains ".."`;
  return undefined;
}

/**
 * Compiles one scope entry. For deny entries wildcards match hidden names too, and each
 * pattern component also matches the name it spells literally.
 */
async function compileEntry(entry: unknown, vars: PathVariables, deny = false): Promise<Matcher[]> {
  if (typeof entry === "object" && entry !== null && typeof (entry as LiteralPath).literal === "string") {
    const { literal, recursive } = entry as LiteralPath;
    const paths = [...new Set([literal, await realPathOf(literal).catch(() => literal)])];
    return paths.map((p) => ({
      test: (path: string) => path === p || (recursive === true && path.startsWith(p + "/")),
      // A path under p has p as a folder above it; "/" itself is never tested.
      testOrAncestor: (path: string) => (path.startsWith(p + "/") ? p.length > 1 || recursive === true : path === p && p.length > 1),
    }));
  }
  const raw =
    typeof entry === "string" ? entry : typeof entry === "object" && entry !== null ? (entry as { path?: unknown }).path : undefined;
  if (typeof raw !== "string") return [];
  const expanded = expandVariables(raw, vars);
  if (expanded === undefined || !posix.isAbsolute(expanded) || expanded.split("/").includes("..")) return [];
  const pattern = posix.normalize(expanded);
  // The literal head of the pattern may itself pass through symlinks (e.g. /tmp on macOS).
  const parts = pattern.split("/");
  const globAt = parts.findIndex((p) => GLOB_CHARS.test(p));
  const head = globAt === -1 ? pattern : parts.slice(0, globAt).join("/") || "/";
  const tail = globAt === -1 ? [] : parts.slice(globAt);
  const realHead = await realPathOf(head).catch(() => head);
  const patterns = [...new Set([pattern, posix.join(realHead, ...tail)])];
  // A deny entry also names its own text literally: a deny of "secret[1].txt" refuses the
  // file named so as well as "secret1.txt" (fail closed).
  return patterns.map((p) => compilePathGlob(p, { dot: deny, literal: deny }));
}

/** A window's compiled path scope for one command. */
export class PathScope {
  private constructor(
    private readonly allowed: Matcher[],
    private readonly denied: Matcher[],
    /** Deny entries that could not be read; while any exist, every path is refused. */
    readonly brokenDeny: string[] = [],
  ) {}

  /** Compiles raw scope entries (`"$HOME/**"`, `{ path }`, or literal picks). */
  static async compile(scope: CommandScope, vars: PathVariables): Promise<PathScope> {
    const allow = (await Promise.all(scope.allow.map((e) => compileEntry(e, vars)))).flat();
    const deny = (await Promise.all(scope.deny.map((e) => compileEntry(e, vars, true)))).flat();
    const broken = scope.deny.map((e) => scopeEntryProblem(e, vars)).filter((p): p is string => p !== undefined);
    return new PathScope(allow, deny, broken);
  }

  /** Both scopes' entries together (deny entries of either still win). */
  static merge(a: PathScope, b: PathScope): PathScope {
    return new PathScope([...a.allowed, ...b.allowed], [...a.denied, ...b.denied], [...a.brokenDeny, ...b.brokenDeny]);
  }

  /**
   * Allowed iff some allow entry matches `real` and no deny entry matches any of `paths` or
   * a folder above them: denying `$HOME/.ssh` denies what is inside it too (fail closed).
   */
  allows(real: string, ...also: string[]): boolean {
    if (this.brokenDeny.length > 0) return false;
    for (const path of [real, ...also]) if (this.denied.some((m) => m.testOrAncestor(path))) return false;
    return this.allowed.some((m) => m.test(real));
  }
}

export interface PathRequest {
  /** The path as the page sent it: absolute, `file://` URL, or relative to `baseDir`. */
  path: unknown;
  /** Tauri's `BaseDirectory` number. */
  baseDir?: unknown;
  /** Resolve the last component too (false for remove/lstat, which act on a link itself). */
  followLeaf?: boolean;
  /**
   * Dev mode: denials may say where the path resolves, where a link loop is and which deny
   * entry is unusable. Otherwise they name only the path the page sent, so a window can map
   * neither what lies outside its scope nor the scope's configuration.
   */
  dev?: boolean;
}

/**
 * Turns a page's path into the real path to operate on, or throws `permission_denied`
 * (outside scope, `..`, link loops) / `invalid_args` (not a path).
 */
export async function resolveScopedPath(req: PathRequest, scope: PathScope, vars: PathVariables): Promise<string> {
  let input = req.path;
  if (input instanceof URL) input = input.href;
  if (typeof input !== "string" || input.length === 0) throw new FerryError("invalid_args", "path must be a non-empty string");
  if (input.includes("\0")) throw new FerryError("invalid_args", "path must not contain NUL");
  if (input.startsWith("file:")) {
    try {
      input = fileURLToPath(input);
    } catch {
      throw new FerryError("invalid_args", `not a file URL: ${input}`);
    }
  }
  const path = input as string;
  if (path.split(/[\\/]/).includes("..")) throw denied(`path ${JSON.stringify(path)} contains "..", which is never allowed`, path);
  let abs = path;
  if (!posix.isAbsolute(path)) {
    if (req.baseDir === undefined || req.baseDir === null) {
      throw new FerryError("invalid_args", `path ${JSON.stringify(path)} is relative; pass an absolute path or options.baseDir`);
    }
    const name = typeof req.baseDir === "number" ? BASE_DIRECTORY[req.baseDir] : undefined;
    const dir = name ? vars[name] : undefined;
    if (!dir) throw new FerryError("invalid_args", `unknown baseDir ${JSON.stringify(req.baseDir)}`);
    abs = posix.join(dir, path);
  }
  const lexical = posix.normalize(abs).replace(/(.)\/$/, "$1");
  let real: string;
  try {
    real =
      req.followLeaf === false && lexical !== "/"
        ? posix.join(await realPathOf(posix.dirname(lexical)), posix.basename(lexical))
        : await realPathOf(lexical);
  } catch (err) {
    // Loops and unreadable folders may lie outside the scope: outside dev mode, say neither where nor why.
    if (req.dev) throw err;
    throw denied(`path ${JSON.stringify(path)} could not be resolved`, path);
  }
  if (scope.brokenDeny.length > 0) {
    // Which entry, and why, is scope configuration: only dev mode shows it to the page.
    const why = req.dev ? `: ${scope.brokenDeny.join("; ")}` : " (dev mode or `ferry check` says which)";
    throw denied(`this window's fs scope has an unusable deny entry, so every path is refused${why}`, path);
  }
  if (!scope.allows(real, lexical)) {
    throw denied(
      `path ${JSON.stringify(path)} is outside this window's fs scope${req.dev && real !== lexical ? ` (it resolves to ${real})` : ""}`,
      path,
    );
  }
  return real;
}
