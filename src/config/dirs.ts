/**
 * The app's folders per platform, as Tauri's path API gives them (Tauri resolves them with the
 * `dirs` crate): `appData` = the platform's data folder + the app's `identifier`, and so on.
 * One place knows them: `ferry/config` exports `appDirs`, and the fs scopes' `$APPDATA`, `$HOME`
 * … variables (`defaultPathVariables` in `ferry/acl`) are built from the same function.
 *
 * Everything is a function of the platform and the environment passed in, so macOS and Windows
 * can be checked from Linux; only Linux's folders are exercised on a real machine here.
 */

import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { posix, win32 } from "node:path";

/** The folders of one app on one machine; a field is absent where the platform has no such folder. */
export interface AppDirs {
  /** `$APPDATA`: `data/<identifier>`. */
  appData: string;
  /** `$APPCONFIG`: `config/<identifier>`. */
  appConfig: string;
  /** `$APPCACHE`: `cache/<identifier>`. */
  appCache: string;
  /** `$APPLOCALDATA`: `localData/<identifier>`. */
  appLocalData: string;
  /** `$APPLOG`: `~/Library/Logs/<identifier>` on macOS, `localData/<identifier>/logs` elsewhere. */
  appLog: string;
  /** `$HOME`: the user's home folder. */
  home: string;
  /** `$DATA`: `$XDG_DATA_HOME`, `~/Library/Application Support`, `%APPDATA%`. */
  data: string;
  /** `$CONFIG`: `$XDG_CONFIG_HOME`, `~/Library/Application Support`, `%APPDATA%`. */
  config: string;
  /** `$CACHE`: `$XDG_CACHE_HOME`, `~/Library/Caches`, `%LOCALAPPDATA%`. */
  cache: string;
  /** `$LOCALDATA`: `$XDG_DATA_HOME`, `~/Library/Application Support`, `%LOCALAPPDATA%`. */
  localData: string;
  /** `$RUNTIME`: `$XDG_RUNTIME_DIR` (Linux only, when set). */
  runtime?: string;
  /** `$DOCUMENT` (Linux: from `user-dirs.dirs`, absent when it names none). */
  document?: string;
  /** `$DOWNLOAD`. */
  download?: string;
  /** `$DESKTOP`. */
  desktop?: string;
  /** `$PICTURE`. */
  picture?: string;
  /** `$VIDEO` (`~/Movies` on macOS). */
  video?: string;
  /** `$AUDIO` (the music folder). */
  audio?: string;
  /** `$PUBLIC`. */
  public?: string;
  /** `$TEMPLATE` (none on macOS). */
  template?: string;
  /** `$FONT`: `data/fonts` on Linux, `~/Library/Fonts` on macOS, none on Windows. */
  font?: string;
  /** `$EXE`: `$XDG_BIN_HOME` or `~/.local/bin` on Linux, none elsewhere. */
  executable?: string;
  /** `$TEMP`: `$TMPDIR` or `/tmp`; on Windows `%TMP%`, `%TEMP%`, `%USERPROFILE%`, `%SystemRoot%\Temp`. */
  temp: string;
}

/** Where `appDirs` looks; every field defaults to this process's own. */
export interface AppDirsOptions {
  /** The platform whose layout to use (default `process.platform`). */
  platform?: NodeJS.Platform;
  /** The environment to read `HOME`, `XDG_*`, `APPDATA` … from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The home folder, overriding `HOME` (`USERPROFILE` on Windows) and the user database. */
  home?: string;
}

/**
 * Letters, digits and `-` in dot-separated segments, each starting with a letter (Tauri's rule
 * for `identifier`, with the reverse-domain shape its mobile targets need). The identifier names
 * folders, so this also keeps `/`, `..` and spaces out of them.
 */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z][A-Za-z0-9-]*)*$/;

/** Why `identifier` is not a valid app identifier, or undefined when it is. */
export function identifierProblem(identifier: unknown): string | undefined {
  if (typeof identifier !== "string")
    return `expected a string in reverse-domain form (e.g. "com.example.notes"), got ${describe(identifier)}`;
  if (IDENTIFIER.test(identifier)) return undefined;
  return (
    `${JSON.stringify(identifier)} is not an app identifier: use reverse-domain form (e.g. "com.example.notes") ` +
    `with letters, digits, "-" and ".", each segment starting with a letter`
  );
}

/** A short description of a JSON value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/**
 * The app's folders and the user's, per platform, as Tauri's path API resolves them:
 *
 * - Linux (and other Unix): XDG base directories (`XDG_DATA_HOME`, `XDG_CONFIG_HOME`,
 *   `XDG_CACHE_HOME`, `XDG_RUNTIME_DIR`, `XDG_BIN_HOME`, relative values ignored) and the user
 *   folders from `$XDG_CONFIG_HOME/user-dirs.dirs` (absent when the file does not name them);
 * - macOS: `~/Library/Application Support`, `~/Library/Caches`, `~/Library/Logs/<identifier>`;
 * - Windows: `%APPDATA%` (roaming) and `%LOCALAPPDATA%`, the user folders under `%USERPROFILE%`.
 *
 * Throws when `identifier` is not a reverse-domain identifier, or when no home folder is known.
 *
 * @example
 * const dirs = appDirs("com.example.notes");
 * await mkdir(dirs.appData, { recursive: true });
 */
export function appDirs(identifier: string, options: AppDirsOptions = {}): AppDirs {
  const dirs = platformDirs(identifier, options);
  const missing = (["home", "data", "config", "cache", "localData"] as const).filter((k) => dirs[k] === undefined);
  if (missing.length > 0) {
    const platform = options.platform ?? process.platform;
    const variable = platform === "win32" ? "USERPROFILE" : "HOME";
    throw new Error(`appDirs: the home folder is unknown (${variable} is unset, empty or relative, and no home was given)`);
  }
  return dirs as AppDirs;
}

/**
 * The folders that can be known: like `appDirs`, but a folder that cannot be found (no home
 * folder) is left out rather than thrown about. `defaultPathVariables` builds on this, so a
 * scope entry naming an unknown folder grants nothing.
 */
export function platformDirs(identifier: string, options: AppDirsOptions = {}): Partial<AppDirs> & { temp: string } {
  const problem = identifierProblem(identifier);
  if (problem) throw new Error(`app identifier: ${problem}`);
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const windows = platform === "win32";
  const path = windows ? win32 : posix;
  // An empty or relative value is unset: "$HOME/**" must never become "/**" or "docs/**".
  const absolute = (v: string | undefined) =>
    v && (windows ? /^([a-z]:[\\/]|\\\\[^\\])/i.test(v) : posix.isAbsolute(v)) ? path.normalize(v) : undefined;
  const under = (base: string | undefined, ...rel: string[]) => (base === undefined ? undefined : path.join(base, ...rel));
  // The user database is consulted only for this machine's own platform (HOME is read first).
  const host = platform === process.platform;
  const home = absolute(options.home) ?? absolute(windows ? env.USERPROFILE : env.HOME) ?? (host ? absolute(safeUserHome()) : undefined);

  let d: { [K in keyof AppDirs]?: string | undefined } & { temp: string };
  if (platform === "darwin") {
    const support = under(home, "Library/Application Support");
    d = {
      data: support,
      config: support,
      localData: support,
      cache: under(home, "Library/Caches"),
      appLog: under(home, "Library/Logs", identifier),
      temp: absolute(env.TMPDIR) ?? "/tmp",
      audio: under(home, "Music"),
      desktop: under(home, "Desktop"),
      document: under(home, "Documents"),
      download: under(home, "Downloads"),
      font: under(home, "Library/Fonts"),
      picture: under(home, "Pictures"),
      public: under(home, "Public"),
      video: under(home, "Movies"),
    };
  } else if (windows) {
    // Windows sets these variables from the known folders (FOLDERID_RoamingAppData, …).
    const roaming = absolute(env.APPDATA) ?? under(home, "AppData", "Roaming");
    const local = absolute(env.LOCALAPPDATA) ?? under(home, "AppData", "Local");
    const systemRoot = absolute(env.SystemRoot) ?? absolute(env.windir) ?? "C:\\Windows";
    d = {
      data: roaming,
      config: roaming,
      localData: local,
      cache: local,
      appLog: under(local, identifier, "logs"),
      // GetTempPath's order.
      temp: absolute(env.TMP) ?? absolute(env.TEMP) ?? absolute(env.USERPROFILE) ?? win32.join(systemRoot, "Temp"),
      audio: under(home, "Music"),
      desktop: under(home, "Desktop"),
      document: under(home, "Documents"),
      download: under(home, "Downloads"),
      picture: under(home, "Pictures"),
      // FOLDERID_Public is shared by all users, not under the profile.
      public: absolute(env.PUBLIC) ?? win32.join(/^[a-z]:$/i.test(env.SystemDrive ?? "") ? env.SystemDrive! : "C:", "\\Users\\Public"),
      template: under(roaming, "Microsoft", "Windows", "Templates"),
      video: under(home, "Videos"),
    };
  } else {
    const config = absolute(env.XDG_CONFIG_HOME) ?? under(home, ".config");
    const data = absolute(env.XDG_DATA_HOME) ?? under(home, ".local/share");
    const user = home === undefined || config === undefined ? {} : readUserDirs(posix.join(config, "user-dirs.dirs"), home);
    d = {
      data,
      config,
      localData: data,
      cache: absolute(env.XDG_CACHE_HOME) ?? under(home, ".cache"),
      appLog: under(data, identifier, "logs"),
      temp: absolute(env.TMPDIR) ?? "/tmp",
      runtime: absolute(env.XDG_RUNTIME_DIR),
      executable: absolute(env.XDG_BIN_HOME) ?? under(home, ".local/bin"),
      font: under(data, "fonts"),
      audio: user.MUSIC,
      desktop: user.DESKTOP,
      document: user.DOCUMENTS,
      download: user.DOWNLOAD,
      picture: user.PICTURES,
      public: user.PUBLICSHARE,
      template: user.TEMPLATES,
      video: user.VIDEOS,
    };
  }
  Object.assign(d, {
    home,
    appData: under(d.data, identifier),
    appConfig: under(d.config, identifier),
    appCache: under(d.cache, identifier),
    appLocalData: under(d.localData, identifier),
  });
  for (const key of Object.keys(d) as (keyof AppDirs)[]) if (d[key] === undefined) delete d[key];
  return d as Partial<AppDirs> & { temp: string };
}

function safeUserHome(): string | undefined {
  try {
    return userInfo().homedir;
  } catch {
    return undefined;
  }
}

/** `user-dirs.dirs` read from disk; a missing or unreadable file names no folder. */
function readUserDirs(file: string, home: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return {};
  }
  return parseUserDirs(text, home);
}

/**
 * Parses `user-dirs.dirs` as xdg-user-dirs writes it: `XDG_<NAME>_DIR="$HOME/<path>"` or
 * `"<absolute path>"`, shell-escaped in double quotes. Other forms are skipped, and
 * `"$HOME/"` (the spec's way to disable a folder) names none. Returns NAME → folder.
 */
export function parseUserDirs(text: string, home: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^[ \t]*XDG_([A-Za-z0-9_]+)_DIR[ \t]*=[ \t]*"(.*)"[ \t]*$/.exec(line);
    if (!m) continue;
    const [, name, raw] = m as unknown as [string, string, string];
    if (name in out || raw === "$HOME/") continue;
    const unescape = (v: string) => v.replace(/\\(.)/g, "$1");
    if (raw.startsWith("$HOME/")) out[name] = posix.join(home, unescape(raw.slice("$HOME/".length)));
    else if (raw.startsWith("/")) out[name] = posix.normalize(unescape(raw));
  }
  return out;
}
