/**
 * The app config: `ferry.conf.json`, in the field names of Tauri v2's `tauri.conf.json` for what
 * ferry supports. A Tauri app's own `tauri.conf.json` is read as it is: the fields ferry does not
 * use are listed in `unsupported`, never an error. `ferry.conf.json` is checked strictly, as
 * Tauri checks its own file: a field neither ferry nor Tauri knows (a typo) is an error.
 */

import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { describe, identifierProblem } from "./dirs.ts";

/** One window of `app.windows`: Tauri's `WindowConfig` field names, the subset ferry supports. */
export interface WindowConfig {
  /** The window's label, what capabilities match on (default `"main"`). */
  label: string;
  /** A path relative to the frontend root, or an `http(s)` URL (default `"index.html"`). */
  url: string;
  /** The title (default: `productName`, else `"ferry app"`). */
  title: string;
  /** Inner width in logical pixels (default 800). */
  width: number;
  /** Inner height in logical pixels (default 600). */
  height: number;
  /** Left edge in logical pixels (default: the window manager's choice). */
  x?: number;
  /** Top edge in logical pixels. */
  y?: number;
  /** Centre the window on screen (default false). */
  center: boolean;
  /** Whether the user can resize it (default true). */
  resizable: boolean;
  /** Shown when created (default true). */
  visible: boolean;
  /** Focused when created (default true). */
  focus: boolean;
  /** Maximized when created (default false). */
  maximized: boolean;
  /** Full screen when created (default false). */
  fullscreen: boolean;
  /** Minimum inner width. */
  minWidth?: number;
  /** Minimum inner height. */
  minHeight?: number;
  /** Maximum inner width. */
  maxWidth?: number;
  /** Maximum inner height. */
  maxHeight?: number;
  /** Open it at start (Tauri's `create`, default true); false: only its settings, for code to open. */
  create: boolean;
}

/** A hook command of `build`: a shell command line, or Tauri's object form. */
export type HookCommand = string | { script: string; cwd?: string; wait?: boolean };

/** `app.security.assetProtocol`: which files `convertFileSrc` URLs may serve (off by default). */
export interface AssetProtocolConfig {
  /** Serve the asset protocol at all (default false). */
  enable: boolean;
  /** Path patterns with Tauri's variables (`$APPDATA/**`), as a list or allow/deny lists. */
  scope: string[] | { allow: string[]; deny: string[]; requireLiteralLeadingDot?: boolean };
}

/** The app config, with every default filled in. */
export interface AppConfig {
  /** Reverse-domain app identifier (`com.example.notes`): names the app's folders. */
  identifier: string;
  /** The app's name, as users see it. */
  productName?: string;
  /** The app's version (a path to a `package.json` is read by `loadAppConfig`). */
  version?: string;
  /** The executable's file name, where one is made. */
  mainBinaryName?: string;
  /** `app`: windows and security. */
  app: {
    /** The windows; labels are unique. Default none: the app opens its windows from code. */
    windows: WindowConfig[];
    /** Tauri's `window.__TAURI__` global in pages (default false). */
    withGlobalTauri: boolean;
    /** `app.security`. */
    security: {
      /** The pages' Content-Security-Policy: one string, or directive → sources. */
      csp?: string | Record<string, string> | null;
      /** Inline capabilities or identifiers of capability files, as Tauri allows. */
      capabilities?: (string | object)[];
      /** The asset protocol's switch and scope. */
      assetProtocol?: AssetProtocolConfig;
    };
    /**
     * ferry only: end the app when its last window closes (default true). False keeps the
     * backend running with no window, e.g. for an app that reopens one from a tray or a signal.
     */
    exitOnLastWindowClosed: boolean;
  };
  /** `build`: the frontend and the dev loop's hooks. */
  build: {
    /** The built frontend: a folder relative to `dir`, or a URL. */
    frontendDist?: string;
    /** The dev server's URL (`http://localhost:5173`). */
    devUrl?: string;
    /** Run before the dev loop starts (e.g. the dev server). */
    beforeDevCommand?: HookCommand;
    /** Run before a build. */
    beforeBuildCommand?: HookCommand;
    /**
     * ferry only: the backend entry module `ferry dev` and `ferry start` run, relative to `dir`
     * (default `backend/main.ts`); its default export is `defineBackend(…)`.
     */
    backend?: string;
  };
  /** Absolute path of the file read. */
  file: string;
  /** Its folder: relative paths in the config resolve against it. */
  dir: string;
  /** One line per field present in the file that ferry does not support (the caller reports them once). */
  unsupported: string[];
}

/** One problem in a config file: where, and what was expected. */
export interface AppConfigProblem {
  /** The field's path, e.g. `app.windows[1].width` (empty for the whole document). */
  path: string;
  /** What is wrong, and what was expected. */
  message: string;
}

/** Thrown when the config cannot be found, read or used; the message names the file and every bad field. */
export class AppConfigError extends Error {
  override name = "AppConfigError";
  /** The file concerned (or the folder searched). */
  readonly file: string;
  /** Each bad field. */
  readonly problems: AppConfigProblem[];
  constructor(file: string, problems: AppConfigProblem[]) {
    const lines = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    super(lines.length === 1 ? `${file}: ${lines[0]}` : `${file}: ${lines.length} problems:\n${lines.map((l) => `  - ${l}`).join("\n")}`);
    this.file = file;
    this.problems = problems;
  }
}

/** The file names `loadAppConfig` looks for in a folder, in order. */
export const CONFIG_FILES = ["ferry.conf.json", "tauri.conf.json", "src-tauri/tauri.conf.json"] as const;

// Tauri v2's field names (its config schema, @tauri-apps/cli 2.12): present and unused by ferry
// they are reported as unsupported; any other name is a typo in ferry.conf.json.
const TAURI_TOP = ["$schema", "productName", "mainBinaryName", "version", "identifier", "app", "build", "bundle", "plugins"];
const TAURI_APP = ["windows", "security", "trayIcon", "macOSPrivateApi", "withGlobalTauri", "enableGTKAppId", "appDirectoriesOverride"];
const TAURI_SECURITY = [
  "csp",
  "devCsp",
  "freezePrototype",
  "dangerousDisableAssetCspModification",
  "assetProtocol",
  "pattern",
  "capabilities",
  "headers",
];
const TAURI_BUILD = [
  "runner",
  "devUrl",
  "frontendDist",
  "beforeDevCommand",
  "beforeBuildCommand",
  "beforeBundleCommand",
  "features",
  "removeUnusedCommands",
  "additionalWatchFolders",
  "windows",
];

// What ferry reads of each object; `build` fields Tauri has and ferry does not use are ignored silently.
const FERRY_TOP = ["$schema", "productName", "mainBinaryName", "version", "identifier", "app", "build"];
const FERRY_APP = ["windows", "security", "withGlobalTauri", "exitOnLastWindowClosed"];
const FERRY_SECURITY = ["csp", "assetProtocol", "capabilities"];
const FERRY_BUILD = ["frontendDist", "devUrl", "beforeDevCommand", "beforeBuildCommand", "backend"];
const FERRY_WINDOW = [
  "label",
  "create",
  "url",
  "center",
  "x",
  "y",
  "width",
  "height",
  "minWidth",
  "minHeight",
  "maxWidth",
  "maxHeight",
  "resizable",
  "title",
  "fullscreen",
  "focus",
  "maximized",
  "visible",
];
// Tauri's WindowConfig: the fields ferry reads and these.
const TAURI_WINDOW = [
  ...FERRY_WINDOW,
  "userAgent",
  "dragDropEnabled",
  "preventOverflow",
  "maximizable",
  "minimizable",
  "closable",
  "focusable",
  "transparent",
  "decorations",
  "alwaysOnBottom",
  "alwaysOnTop",
  "visibleOnAllWorkspaces",
  "contentProtected",
  "skipTaskbar",
  "windowClassname",
  "noRedirectionBitmap",
  "theme",
  "titleBarStyle",
  "trafficLightPosition",
  "hiddenTitle",
  "acceptFirstMouse",
  "tabbingIdentifier",
  "additionalBrowserArgs",
  "shadow",
  "windowEffects",
  "incognito",
  "parent",
  "proxyUrl",
  "zoomHotkeysEnabled",
  "browserExtensionsEnabled",
  "useHttpsScheme",
  "devtools",
  "backgroundColor",
  "backgroundThrottling",
  "javascriptDisabled",
  "allowLinkPreview",
  "disableInputAccessoryView",
  "dataDirectory",
  "dataStoreIdentifier",
  "scrollBarStyle",
  "limitNavigationsToAppBoundDomains",
  "activityName",
  "createdByActivityName",
  "requestedBySceneIdentifier",
  "generalAutofillEnabled",
];

/** The field names ferry reads and Tauri knows, per object (for the schema's tests and docs). */
export const FIELDS = {
  top: { ferry: FERRY_TOP, tauri: TAURI_TOP },
  app: { ferry: FERRY_APP, tauri: TAURI_APP },
  security: { ferry: FERRY_SECURITY, tauri: TAURI_SECURITY },
  window: { ferry: FERRY_WINDOW, tauri: TAURI_WINDOW },
  build: { ferry: FERRY_BUILD, tauri: TAURI_BUILD },
} as const;

/** Tauri's rule for window labels: letters, digits, `-`, `/`, `:`, `_`. */
const LABEL = /^[\p{L}\p{N}\-/:_]+$/u;
/** Tauri's rule for `productName` (it names files). */
const PRODUCT_NAME = /^[^/\\:*?"<>|]+$/;
/** A URL scheme at the start of a string. */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** An http(s) URL with a host (the schema's pattern; `URL.canParse` checks the rest). */
const HTTP_URL = /^https?:\/\/[^\s/?#]+([/?#]\S*)?$/i;
const isHttpUrl = (s: string) => HTTP_URL.test(s) && URL.canParse(s);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads fields of one document, collecting problems and unsupported fields. */
class Reader {
  readonly problems: AppConfigProblem[] = [];
  readonly unsupported: string[] = [];
  constructor(private readonly strict: boolean) {}

  fail(path: string, message: string): undefined {
    this.problems.push({ path, message });
    return undefined;
  }

  /** Sorts `obj`'s keys into read, unsupported (Tauri knows them) and unknown. */
  keys(obj: Json, path: string, ferry: readonly string[], tauri: readonly string[], silent: readonly string[] = []): void {
    for (const key of Object.keys(obj)) {
      if (ferry.includes(key) || silent.includes(key)) continue;
      const at = path ? `${path}.${key}` : key;
      if (tauri.includes(key)) this.unsupported.push(at);
      else if (!this.strict) this.unsupported.push(`${at} (not a Tauri v2 field ferry knows)`);
      else {
        const close = [...new Set([...ferry, ...tauri])].find((k) => near(k, key));
        this.fail(at, `unknown field${close ? ` (did you mean "${close}"?)` : ""}; see docs/config.md for the fields ferry reads`);
      }
    }
  }

  object(obj: Json, key: string, path: string): Json | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    return isObject(v) ? v : this.fail(join2(path, key), `expected an object, got ${describe(v)}`);
  }

  string(obj: Json, key: string, path: string, check?: (s: string) => string | undefined): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") return this.fail(join2(path, key), `expected a string, got ${describe(v)}`);
    const problem = check?.(v);
    return problem ? this.fail(join2(path, key), problem) : v;
  }

  boolean(obj: Json, key: string, path: string, fallback: boolean): boolean {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "boolean") return this.fail(join2(path, key), `expected true or false, got ${describe(v)}`) ?? fallback;
    return v;
  }

  number(obj: Json, key: string, path: string, positive: boolean): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v) || (positive && v <= 0)) {
      return this.fail(join2(path, key), `expected ${positive ? "a number above 0" : "a number"} (logical pixels), got ${describe(v)}`);
    }
    return v;
  }

  strings(v: unknown, path: string): string[] | undefined {
    if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v;
    return this.fail(path, `expected a list of strings, got ${describe(v)}`);
  }

  hook(obj: Json, key: string, path: string): HookCommand | undefined {
    const v = obj[key];
    if (v === undefined || v === null || typeof v === "string") return v ?? undefined;
    const at = join2(path, key);
    if (!isObject(v)) return this.fail(at, `expected a command line or { "script": … }, got ${describe(v)}`);
    this.keys(v, at, ["script", "cwd", "wait"], []);
    const script = this.string(v, "script", at);
    if (script === undefined) return this.fail(`${at}.script`, "expected the command line (a string)");
    const cwd = this.string(v, "cwd", at);
    const wait = v.wait === undefined || v.wait === null ? undefined : this.boolean(v, "wait", at, false);
    return { script, ...(cwd !== undefined ? { cwd } : {}), ...(wait !== undefined ? { wait } : {}) };
  }
}

const join2 = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Whether two field names differ only by case or by one edit or swap (a likely typo). */
function near(x: string, y: string): boolean {
  const a = x.toLowerCase();
  const b = y.toLowerCase();
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const rest = (p: number, q: number) => a.slice(p) === b.slice(q);
  return rest(i + 1, i + 1) || rest(i + 1, i) || rest(i, i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && rest(i + 2, i + 2));
}

/** A window's `url`: an http(s) URL, or a path inside the frontend. */
function urlProblem(url: string): string | undefined {
  if (url === "") return 'expected a path inside the frontend (e.g. "index.html") or an http(s) URL, got an empty string';
  if (!SCHEME.test(url)) return undefined;
  return isHttpUrl(url) ? undefined : `expected an http(s) URL or a path inside the frontend, got ${describe(url)}`;
}

/**
 * Checks a parsed config document and fills in the defaults. `file` is where it came from
 * (its name decides strictness: a `tauri.conf.json` is read as-is, any other name strictly).
 * Throws `AppConfigError` listing every bad field.
 *
 * @example
 * const config = parseAppConfig({ identifier: "com.example.notes", app: { windows: [{}] } }, "/app/ferry.conf.json");
 * config.app.windows[0]!.label; // "main"
 */
export function parseAppConfig(json: unknown, file: string): AppConfig {
  const path = resolve(file);
  const r = new Reader(basename(path) !== "tauri.conf.json");
  if (!isObject(json)) throw new AppConfigError(path, [{ path: "", message: `expected a JSON object, got ${describe(json)}` }]);
  r.keys(json, "", FERRY_TOP, TAURI_TOP);
  r.string(json, "$schema", "");

  const identifier = json.identifier;
  if (identifier === undefined || identifier === null)
    r.fail("identifier", 'required: the app\'s reverse-domain identifier, e.g. "com.example.notes"');
  else if (identifierProblem(identifier)) r.fail("identifier", identifierProblem(identifier)!);
  const productName = r.string(json, "productName", "", (s) =>
    PRODUCT_NAME.test(s) ? undefined : `expected a name without / \\ : * ? " < > | (it names files), got ${describe(s)}`,
  );
  const version = r.string(json, "version", "");
  const mainBinaryName = r.string(json, "mainBinaryName", "");

  const appJson = r.object(json, "app", "") ?? {};
  r.keys(appJson, "app", FERRY_APP, TAURI_APP);
  const windows: WindowConfig[] = [];
  const rawWindows = appJson.windows;
  if (rawWindows !== undefined && rawWindows !== null && !Array.isArray(rawWindows)) {
    r.fail("app.windows", `expected a list of windows, got ${describe(rawWindows)}`);
  }
  const seen = new Map<string, number>();
  for (const [i, w] of (Array.isArray(rawWindows) ? rawWindows : []).entries()) {
    const at = `app.windows[${i}]`;
    if (!isObject(w)) {
      r.fail(at, `expected a window object, got ${describe(w)}`);
      continue;
    }
    r.keys(w, at, FERRY_WINDOW, TAURI_WINDOW);
    const given = r.string(w, "label", at, (s) =>
      LABEL.test(s) ? undefined : `expected a label of letters, digits, "-", "/", ":" and "_", got ${describe(s)}`,
    );
    const label = given ?? "main";
    const first = seen.get(label);
    if (first !== undefined) r.fail(`${at}.label`, `duplicate window label "${label}" (also app.windows[${first}]); labels must be unique`);
    else if (given !== undefined || w.label === undefined || w.label === null) seen.set(label, i);
    const optional = (key: "x" | "y" | "minWidth" | "minHeight" | "maxWidth" | "maxHeight", positive: boolean) => {
      const v = r.number(w, key, at, positive);
      return v === undefined ? {} : { [key]: v };
    };
    windows.push({
      label,
      url: r.string(w, "url", at, urlProblem) ?? "index.html",
      title: r.string(w, "title", at) ?? productName ?? "ferry app",
      width: r.number(w, "width", at, true) ?? 800,
      height: r.number(w, "height", at, true) ?? 600,
      ...optional("x", false),
      ...optional("y", false),
      center: r.boolean(w, "center", at, false),
      resizable: r.boolean(w, "resizable", at, true),
      visible: r.boolean(w, "visible", at, true),
      focus: r.boolean(w, "focus", at, true),
      maximized: r.boolean(w, "maximized", at, false),
      fullscreen: r.boolean(w, "fullscreen", at, false),
      ...optional("minWidth", true),
      ...optional("minHeight", true),
      ...optional("maxWidth", true),
      ...optional("maxHeight", true),
      create: r.boolean(w, "create", at, true),
    });
  }

  const security: AppConfig["app"]["security"] = {};
  const sec = r.object(appJson, "security", "app");
  if (sec) {
    r.keys(sec, "app.security", FERRY_SECURITY, TAURI_SECURITY);
    const csp = readCsp(r, sec.csp);
    if (csp !== undefined) security.csp = csp;
    if (sec.capabilities !== undefined && sec.capabilities !== null) {
      const caps = sec.capabilities;
      if (Array.isArray(caps) && caps.every((c) => typeof c === "string" || isObject(c)))
        security.capabilities = caps as (string | object)[];
      else r.fail("app.security.capabilities", `expected a list of capability identifiers or capability objects, got ${describe(caps)}`);
    }
    const asset = r.object(sec, "assetProtocol", "app.security");
    if (asset) security.assetProtocol = readAssetProtocol(r, asset);
  }

  const buildJson = r.object(json, "build", "") ?? {};
  r.keys(buildJson, "build", FERRY_BUILD, [], TAURI_BUILD);
  const build: AppConfig["build"] = {};
  const dist = buildJson.frontendDist;
  if (Array.isArray(dist) && r.strings(dist, "build.frontendDist")) r.unsupported.push("build.frontendDist (a list of files)");
  else {
    const frontendDist = r.string(buildJson, "frontendDist", "build", (s) =>
      s === "" || (SCHEME.test(s) && !isHttpUrl(s)) ? `expected a folder or an http(s) URL, got ${describe(s)}` : undefined,
    );
    if (frontendDist !== undefined) build.frontendDist = frontendDist;
  }
  const devUrl = r.string(buildJson, "devUrl", "build", (s) =>
    isHttpUrl(s) ? undefined : `expected an http(s) URL (e.g. "http://localhost:5173"), got ${describe(s)}`,
  );
  if (devUrl !== undefined) build.devUrl = devUrl;
  const backend = r.string(buildJson, "backend", "build", (b) =>
    b === "" || SCHEME.test(b) ? `expected a module path relative to the config's folder, got ${describe(b)}` : undefined,
  );
  if (backend !== undefined) build.backend = backend;
  const beforeDevCommand = r.hook(buildJson, "beforeDevCommand", "build");
  if (beforeDevCommand !== undefined) build.beforeDevCommand = beforeDevCommand;
  const beforeBuildCommand = r.hook(buildJson, "beforeBuildCommand", "build");
  if (beforeBuildCommand !== undefined) build.beforeBuildCommand = beforeBuildCommand;

  const app: AppConfig["app"] = {
    windows,
    withGlobalTauri: r.boolean(appJson, "withGlobalTauri", "app", false),
    security,
    exitOnLastWindowClosed: r.boolean(appJson, "exitOnLastWindowClosed", "app", true),
  };
  if (r.problems.length > 0) throw new AppConfigError(path, r.problems);
  return {
    identifier: identifier as string,
    ...(productName !== undefined ? { productName } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(mainBinaryName !== undefined ? { mainBinaryName } : {}),
    app,
    build,
    file: path,
    dir: dirname(path),
    unsupported: r.unsupported,
  };
}

/** `app.security.csp`: a string, or directive → sources (a list joined with spaces). */
function readCsp(r: Reader, csp: unknown): string | Record<string, string> | undefined {
  const at = "app.security.csp";
  if (csp === undefined || csp === null || typeof csp === "string") return csp ?? undefined;
  if (!isObject(csp)) return r.fail(at, `expected a policy string or an object of directive → sources, got ${describe(csp)}`);
  const out: Record<string, string> = {};
  for (const [directive, sources] of Object.entries(csp)) {
    if (typeof sources === "string") out[directive] = sources;
    else if (Array.isArray(sources) && sources.every((s) => typeof s === "string")) out[directive] = sources.join(" ");
    else r.fail(`${at}.${directive}`, `expected sources as a string or a list of strings, got ${describe(sources)}`);
  }
  return out;
}

function readAssetProtocol(r: Reader, asset: Json): AssetProtocolConfig {
  const at = "app.security.assetProtocol";
  r.keys(asset, at, ["enable", "scope"], []);
  const enable = r.boolean(asset, "enable", at, false);
  const scope = asset.scope;
  if (scope === undefined || scope === null) return { enable, scope: [] };
  if (Array.isArray(scope)) return { enable, scope: r.strings(scope, `${at}.scope`) ?? [] };
  if (!isObject(scope)) {
    r.fail(`${at}.scope`, `expected a list of path patterns or { "allow": […], "deny": […] }, got ${describe(scope)}`);
    return { enable, scope: [] };
  }
  r.keys(scope, `${at}.scope`, ["allow", "deny", "requireLiteralLeadingDot"], []);
  const list = (key: "allow" | "deny") => (scope[key] === undefined ? [] : (r.strings(scope[key], `${at}.scope.${key}`) ?? []));
  const dot = scope.requireLiteralLeadingDot;
  return {
    enable,
    scope: {
      allow: list("allow"),
      deny: list("deny"),
      ...(dot === undefined || dot === null
        ? {}
        : { requireLiteralLeadingDot: r.boolean(scope, "requireLiteralLeadingDot", `${at}.scope`, true) }),
    },
  };
}

/**
 * Parses JSON text; a syntax error becomes an `AppConfigError` with the line and column.
 * A leading byte-order mark is allowed.
 */
export function parseJsonText(text: string, file: string): unknown {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : body.length;
    const before = body.slice(0, offset).split("\n");
    const line = before.length;
    const column = before[before.length - 1]!.length + 1;
    const what = message
      .replace(/\s*\(line \d+ column \d+\)/, "")
      .replace(/ in JSON at position \d+/, "")
      .replace(/^Unexpected end of JSON input$/, "the file ends too early");
    throw new AppConfigError(file, [{ path: "", message: `invalid JSON at line ${line}, column ${column}: ${what}` }]);
  }
}

/**
 * Finds and reads the app config. `from` is a config file, or a folder searched for
 * `ferry.conf.json`, then `tauri.conf.json`, then `src-tauri/tauri.conf.json` (default: the
 * current folder). A `version` naming a `.json` file (Tauri allows a `package.json` path) is
 * replaced by that file's `version`. Throws `AppConfigError` naming the file and each bad field.
 *
 * @example
 * const config = await loadAppConfig();
 * for (const w of config.unsupported) console.warn(`ferry ignores ${w} in ${config.file}`);
 */
export async function loadAppConfig(from: string = process.cwd()): Promise<AppConfig> {
  const start = resolve(from);
  const info = await stat(start).catch(() => undefined);
  if (!info) throw new AppConfigError(start, [{ path: "", message: "no such file or folder" }]);
  let file = start;
  if (info.isDirectory()) {
    const found = await firstExisting(CONFIG_FILES.map((name) => join(start, name)));
    if (!found) {
      throw new AppConfigError(start, [{ path: "", message: `no app config here: looked for ${CONFIG_FILES.join(", ")}` }]);
    }
    file = found;
  }
  const text = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    throw new AppConfigError(file, [{ path: "", message: `cannot read it (${err.code ?? err.message})` }]);
  });
  const config = parseAppConfig(parseJsonText(text, file), file);
  if (config.version?.endsWith(".json")) config.version = await versionFrom(join(config.dir, config.version), file);
  return config;
}

async function firstExisting(files: string[]): Promise<string | undefined> {
  for (const f of files) if ((await stat(f).catch(() => undefined))?.isFile()) return f;
  return undefined;
}

/** The `version` field of a JSON file (`"version": "../package.json"`, as Tauri allows). */
async function versionFrom(json: string, configFile: string): Promise<string> {
  const problem = (message: string) => new AppConfigError(configFile, [{ path: "version", message }]);
  const text = await readFile(json, "utf8").catch(() => {
    throw problem(`names ${json}, which cannot be read`);
  });
  const version = (parseJsonText(text, json) as { version?: unknown } | null)?.version;
  if (typeof version !== "string") throw problem(`names ${json}, which has no "version" string`);
  return version;
}
