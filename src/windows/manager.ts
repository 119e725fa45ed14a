/**
 * The app's windows: opens them through an engine with their tokens, binds each to its
 * label, and keeps the lifecycle rules — a closed window's token is revoked (its calls are
 * aborted, its listeners and channels freed), and the app is done when its last window
 * closes. Tauri's `core:window`, `core:webview` and `core:app` commands are plugins over it.
 */

import type { App, AppHandle, Plugin } from "../backend/app.ts";
import { FerryError } from "../protocol/errors.ts";
import { INSPECTOR_LABEL } from "../backend/inspector.ts";
import type { PermissionManifest } from "../acl/types.ts";
import type { AppConfig } from "../config/app-config.ts";
import { LABEL_PATTERN, type EngineWindow, type Position, type Size, type WindowEngine, type WindowOptions } from "./engine.ts";

/** What the manager needs of a server: the origin pages load from and per-label tokens. */
export interface WindowServer {
  /** The server's own origin, e.g. `http://127.0.0.1:1420`. */
  readonly origin: string;
  /** The app's stable origin (`http://<appHost>`) that engines map to the server, if it has one. */
  readonly appOrigin?: string | undefined;
  /** The token for a label (minted on first use). */
  window(label: string): { token: string };
  /** Revokes a label's token: its connections close, its next window gets a new one. */
  revoke(label: string): void;
}

/** Options of `createWindows`. */
export interface WindowsOptions {
  /**
   * The app config (`loadAppConfig()` from `ferry/config`): fills in the name, version,
   * identifier, the windows to open (`app.windows` with `create`) and `keepRunning`
   * (`app.exitOnLastWindowClosed: false`). Fields given here win over it.
   */
  config?: AppConfig;
  /** The app's name (`productName`): window titles default to it, `getName()` returns it. Default: the config's. */
  name?: string;
  /** The app's version (`getVersion()`). Default "0.0.0". */
  version?: string;
  /** The app's identifier (`getIdentifier()`). */
  identifier?: string;
  /** Windows opened by `start`, in order (the config's `app.windows` with `create` not false). */
  windows?: WindowOptions[];
  /** Keep running when the last window closes. Default false: the app is done. */
  keepRunning?: boolean;
  /** Where window events are reported. Default: console.error for warnings. */
  log?: (message: string) => void;
}

/** An open window of the app, as its engine drives it. */
export type AppWindow = EngineWindow;

/** What happened to a window, for `windows.on`. */
export type WindowEvent =
  { type: "created"; label: string } | { type: "closed"; label: string } | { type: "navigation-blocked"; label: string; url: string };

/** The app's windows. */
export interface Windows {
  /** Tauri's `window`, `webview` and `app` commands over these windows; pass them to `createApp`. */
  readonly plugins: Plugin[];
  /** Binds an engine, a server and the app, and opens the configured windows. */
  start(engine: WindowEngine, server: WindowServer, app: App<any>): Promise<void>;
  /** Opens a window (from code); rejects if the label is taken or malformed. */
  open(options: WindowOptions): Promise<AppWindow>;
  /** The open window with this label. */
  get(label: string): AppWindow | undefined;
  /** Labels of the open windows. */
  labels(): string[];
  /** Calls `fn` for every window event; returns the function that stops it. */
  on(fn: (event: WindowEvent) => void): () => void;
  /** Closes every window and ends the engine. */
  close(): Promise<void>;
  /** Resolves when the app is done: its last window closed (unless `keepRunning`), the engine ended, or `close()`. */
  readonly done: Promise<void>;
}

/** `{ Logical: {width,height} }` / `{ Physical: … }` (Tauri's `Size` on the wire) or a plain `{width,height}`. */
function readSize(value: unknown, what = "value"): { size: Size; physical: boolean } {
  const v = value as Record<string, unknown> | null;
  const inner = (v?.Logical ?? v?.Physical ?? v) as Record<string, unknown> | undefined;
  const width = inner?.width;
  const height = inner?.height;
  if (typeof width !== "number" || typeof height !== "number" || !(width > 0) || !(height > 0) || width > 1e5 || height > 1e5) {
    throw new FerryError("invalid_args", `${what} must be a size { Logical | Physical: { width, height } } with positive numbers`);
  }
  return { size: { width, height }, physical: v?.Physical !== undefined };
}

function readPosition(value: unknown): { position: Position; physical: boolean } {
  const v = value as Record<string, unknown> | null;
  const inner = (v?.Logical ?? v?.Physical ?? v) as Record<string, unknown> | undefined;
  const x = inner?.x;
  const y = inner?.y;
  if (
    typeof x !== "number" ||
    typeof y !== "number" ||
    !Number.isFinite(x) ||
    !Number.isFinite(y) ||
    Math.abs(x) > 1e5 ||
    Math.abs(y) > 1e5
  ) {
    throw new FerryError("invalid_args", "value must be a position { Logical | Physical: { x, y } }");
  }
  return { position: { x, y }, physical: v?.Physical !== undefined };
}

/** Read-only window commands: what `core:window:default` grants, as in Tauri. */
const WINDOW_READS = [
  "get_all_windows",
  "current_monitor",
  "primary_monitor",
  "available_monitors",
  "scale_factor",
  "inner_position",
  "outer_position",
  "inner_size",
  "outer_size",
  "is_fullscreen",
  "is_minimized",
  "is_maximized",
  "is_focused",
  "is_decorated",
  "is_resizable",
  "is_maximizable",
  "is_minimizable",
  "is_closable",
  "is_visible",
  "is_enabled",
  "title",
  "theme",
  "is_always_on_top",
  "internal_toggle_maximize",
];

/** Tauri's window commands ferry's engines do not provide: they reject with `unsupported`, never "unknown command". */
const WINDOW_UNSUPPORTED = [
  "create",
  "set_enabled",
  "set_maximizable",
  "set_minimizable",
  "set_closable",
  "set_decorations",
  "set_shadow",
  "set_effects",
  "set_always_on_top",
  "set_always_on_bottom",
  "set_content_protected",
  "set_min_size",
  "set_max_size",
  "set_size_constraints",
  "set_fullscreen_on_monitor",
  "set_simple_fullscreen",
  "set_focusable",
  "set_icon",
  "set_skip_taskbar",
  "set_cursor_grab",
  "set_cursor_visible",
  "set_cursor_icon",
  "set_background_color",
  "set_cursor_position",
  "set_ignore_cursor_events",
  "start_dragging",
  "start_resize_dragging",
  "set_badge_count",
  "set_badge_label",
  "set_overlay_icon",
  "set_progress_bar",
  "set_visible_on_all_workspaces",
  "set_title_bar_style",
  "monitor_from_point",
  "cursor_position",
  "request_user_attention",
  "activity_name",
  "scene_identifier",
];

/** Tauri's webview commands ferry does not provide. */
const WEBVIEW_UNSUPPORTED = [
  "create_webview",
  "webview_position",
  "webview_size",
  "webview_close",
  "set_webview_size",
  "set_webview_position",
  "set_webview_focus",
  "set_webview_auto_resize",
  "set_webview_zoom",
  "set_webview_background_color",
  "webview_hide",
  "webview_show",
  "reparent",
  "clear_all_browsing_data",
  "internal_toggle_devtools",
];

/** Handlers that reject with `unsupported`, naming the Tauri command. */
function unsupportedCommands(plugin: string, names: string[], engine: () => string): Plugin["commands"] {
  return Object.fromEntries(
    names.map((name) => [
      name,
      () => {
        throw new FerryError("unsupported", `plugin:${plugin}|${name} is not supported by ferry's ${engine()} window engine`, {
          command: `plugin:${plugin}|${name}`,
          plugin,
        });
      },
    ]),
  );
}

/** A monitor as Tauri's window API reads it, from the page's `screen`. */
async function monitorOf(w: AppWindow): Promise<unknown> {
  const [width, height, availLeft, availTop, availWidth, availHeight, r] = (await w.evaluate(
    "[screen.width, screen.height, screen.availLeft ?? 0, screen.availTop ?? 0, screen.availWidth, screen.availHeight, devicePixelRatio]",
  )) as number[];
  const px = (v: number) => Math.round(v * r!);
  return {
    name: null,
    size: { width: px(width!), height: px(height!) },
    position: { x: 0, y: 0 },
    workArea: { position: { x: px(availLeft!), y: px(availTop!) }, size: { width: px(availWidth!), height: px(availHeight!) } },
    scaleFactor: r,
  };
}

const defaultSet = (description: string, commands: string[]): PermissionManifest => ({
  default: { description, permissions: commands.map((c) => `allow-${c.replace(/_/g, "-")}`) },
});

/**
 * Creates the app's window manager. Pass `windows.plugins` to `createApp`, then
 * `windows.start(engine, server, app)`.
 *
 * @example
 * const windows = createWindows({ name: "notes", windows: [{ label: "main", url: "index.html" }] });
 * const app = createApp({ commands, plugins: [...windows.plugins], authorize });
 * const server = await serveWs(app, { root: "dist" });
 * await windows.start(chromiumEngine({ profileDir, appName: "notes" }), server, app);
 * await windows.done;
 */
export function createWindows(given: WindowsOptions): Windows {
  const config = given.config;
  const options = {
    ...given,
    name: given.name ?? config?.productName ?? config?.identifier ?? "ferry app",
    version: given.version ?? config?.version,
    identifier: given.identifier ?? config?.identifier,
    windows: given.windows ?? config?.app.windows.filter((w) => w.create),
    keepRunning: given.keepRunning ?? (config ? !config.app.exitOnLastWindowClosed : false),
  };
  const log = options.log ?? ((m: string) => console.error(`ferry: ${m}`));
  const open = new Map<string, AppWindow>();
  const opening = new Set<string>();
  const listeners = new Set<(event: WindowEvent) => void>();
  let engine: WindowEngine | undefined;
  let server: WindowServer | undefined;
  let app: App<any> | undefined;
  let finished = false;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let theme: string | null = null;
  /** `start` has opened the configured windows: from then on, no window open means done. */
  let startedOnce = false;

  const report = (event: WindowEvent) => {
    for (const fn of [...listeners]) {
      try {
        fn(event);
      } catch (err) {
        log(`a window event listener threw: ${(err as Error).message}`);
      }
    }
  };

  /** The app is done: the engine is shut down (its browser gone, its profile unlocked), then `done` resolves. */
  const end = () => {
    if (finished) return;
    finished = true;
    void (engine?.shutdown() ?? Promise.resolve())
      .catch((err: Error) => log(`the window engine did not shut down cleanly: ${err.message}`))
      .then(finish);
  };

  const closed = (label: string) => {
    open.delete(label);
    server?.revoke(label);
    app?.emit("tauri://destroyed", { label });
    report({ type: "closed", label });
    if (open.size === 0 && opening.size === 0 && !options.keepRunning) end();
  };

  const pageUrl = (url: string | undefined): string => {
    const origin = server!.appOrigin ?? server!.origin;
    const target = new URL(url ?? "index.html", `${origin}/`);
    if (target.origin !== origin && !/^https?:$/.test(target.protocol)) {
      throw new FerryError("invalid_args", `a window's url must be a path on the app or an http(s) URL, got ${url}`);
    }
    return target.href;
  };

  const openWindow = async (opts: WindowOptions): Promise<AppWindow> => {
    if (!engine || !server) throw new FerryError("internal", "windows.start() has not run yet");
    if (finished) throw new FerryError("connection_closed", "the app is closing");
    const label = opts.label;
    if (typeof label !== "string" || !LABEL_PATTERN.test(label)) {
      throw new FerryError("invalid_args", `window label must be 1-128 of a-z A-Z 0-9 - / : _, got ${JSON.stringify(label)}`);
    }
    if (label === INSPECTOR_LABEL)
      throw new FerryError("invalid_args", `the window label ${JSON.stringify(label)} is reserved for the dev-mode inspector`);
    if (open.has(label) || opening.has(label))
      throw new FerryError("invalid_args", `a window labelled ${JSON.stringify(label)} already exists`);
    const url = pageUrl(opts.url);
    if (opts.visible === false) log(`window ${label}: visible=false is not supported by the ${engine.name} engine; it opens shown`);
    opening.add(label);
    try {
      const { token } = server.window(label);
      const win = await engine.open(
        {
          ...opts,
          title: opts.title ?? options.name,
          width: opts.width ?? 800,
          height: opts.height ?? 600,
          pageUrl: url,
          origin: new URL(url).origin,
          token,
          serverOrigin: server.origin,
        },
        {
          closed: () => closed(label),
          navigationBlocked: (blocked) => {
            report({ type: "navigation-blocked", label, url: blocked });
            app?.emitTo(label, "ferry://navigation-blocked", { url: blocked });
          },
        },
      );
      open.set(label, win);
      if (opts.center && opts.x === undefined && opts.y === undefined) await centre(win);
      report({ type: "created", label });
      return win;
    } catch (err) {
      server.revoke(label);
      throw err instanceof FerryError ? err : new FerryError("internal", `could not open window ${label}: ${(err as Error).message}`);
    } finally {
      opening.delete(label);
      // A window that failed to open while no other is open leaves nothing to wait for.
      if (open.size === 0 && opening.size === 0 && startedOnce && !options.keepRunning) end();
    }
  };

  /** Moves a window to the middle of the screen's available area. */
  const centre = async (w: AppWindow) => {
    const [sw, sh] = (await w.evaluate("[screen.availWidth, screen.availHeight]")) as [number, number];
    const r = await w.scaleFactor();
    const outer = await w.outerSize();
    await w.setPosition({ x: Math.max(0, (sw - outer.width / r) / 2), y: Math.max(0, (sh - outer.height / r) / 2) });
  };

  const windowOf = (label: unknown): AppWindow => {
    if (typeof label !== "string") throw new FerryError("invalid_args", "label must be a string");
    const w = open.get(label);
    if (!w) throw new FerryError("invalid_args", `no window labelled ${JSON.stringify(label)}`);
    return w;
  };

  const toLogical = async (w: AppWindow, size: Size, physical: boolean): Promise<Size> => {
    if (!physical) return size;
    const r = await w.scaleFactor();
    return { width: size.width / r, height: size.height / r };
  };

  type A = { label?: unknown; value?: unknown };
  const toggleMaximize = async (a: A) => {
    const w = windowOf(a.label);
    await ((await w.isMaximized()) ? w.unmaximize() : w.maximize());
    return null;
  };
  /** Tauri's theme values: "light", "dark", or null (follow the system). */
  const setTheme = (value: unknown, what: string) => {
    if (value !== null && value !== undefined && value !== "light" && value !== "dark") {
      throw new FerryError("invalid_args", `${what} must be "light", "dark" or null`);
    }
    theme = value ?? null;
    return null;
  };
  const engineName = () => engine?.name ?? "(none yet)";
  /** Any open window, for what is the same for all (the screen). */
  const anyWindow = (label: unknown): AppWindow =>
    typeof label === "string" && open.has(label) ? open.get(label)! : ([...open.values()][0] ?? windowOf(label));
  const windowCommands: Plugin["commands"] = {
    ...unsupportedCommands("window", WINDOW_UNSUPPORTED, engineName),
    current_monitor: (a: A) => monitorOf(windowOf(a.label)),
    primary_monitor: (a: A) => monitorOf(anyWindow(a.label)),
    available_monitors: async (a: A) => [await monitorOf(anyWindow(a.label))],
    get_all_windows: () => [...open.keys()],
    scale_factor: (a: A) => windowOf(a.label).scaleFactor(),
    inner_position: async (a: A) => {
      // The page's corner: the frame's side borders are even, the rest of its height is on top.
      const w = windowOf(a.label);
      const [outer, size, inner] = await Promise.all([w.outerPosition(), w.outerSize(), w.innerSize()]);
      const side = Math.max(0, (size.width - inner.width) / 2);
      return { x: outer.x + side, y: outer.y + Math.max(0, size.height - inner.height - side) };
    },
    outer_position: (a: A) => windowOf(a.label).outerPosition(),
    inner_size: (a: A) => windowOf(a.label).innerSize(),
    outer_size: (a: A) => windowOf(a.label).outerSize(),
    is_fullscreen: (a: A) => windowOf(a.label).isFullscreen(),
    is_minimized: (a: A) => windowOf(a.label).isMinimized(),
    is_maximized: (a: A) => windowOf(a.label).isMaximized(),
    is_visible: (a: A) => windowOf(a.label).isVisible(),
    is_focused: async (a: A) => (await windowOf(a.label).evaluate("document.hasFocus()")) === true,
    is_decorated: (a: A) => (windowOf(a.label), true),
    is_resizable: (a: A) => (windowOf(a.label), true),
    is_maximizable: (a: A) => (windowOf(a.label), true),
    is_minimizable: (a: A) => (windowOf(a.label), true),
    is_closable: (a: A) => (windowOf(a.label), true),
    is_enabled: (a: A) => (windowOf(a.label), true),
    is_always_on_top: (a: A) => (windowOf(a.label), false),
    title: (a: A) => windowOf(a.label).title(),
    theme: (a: A) => (windowOf(a.label), theme),
    set_title: async (a: A) => {
      if (typeof a.value !== "string" || a.value.length > 4096)
        throw new FerryError("invalid_args", "value must be a title string (at most 4096 characters)");
      await windowOf(a.label).setTitle(a.value);
      return null;
    },
    set_size: async (a: A) => {
      const w = windowOf(a.label);
      const { size, physical } = readSize(a.value);
      await w.setSize(await toLogical(w, size, physical));
      return null;
    },
    set_position: async (a: A) => {
      const w = windowOf(a.label);
      const { position, physical } = readPosition(a.value);
      const r = physical ? await w.scaleFactor() : 1;
      await w.setPosition({ x: position.x / r, y: position.y / r });
      return null;
    },
    center: async (a: A) => (await centre(windowOf(a.label)), null),
    show: async (a: A) => (await windowOf(a.label).show(), null),
    hide: async (a: A) => (await windowOf(a.label).hide(), null),
    set_focus: async (a: A) => (await windowOf(a.label).focus(), null),
    minimize: async (a: A) => (await windowOf(a.label).minimize(), null),
    unminimize: async (a: A) => (await windowOf(a.label).unminimize(), null),
    maximize: async (a: A) => (await windowOf(a.label).maximize(), null),
    unmaximize: async (a: A) => (await windowOf(a.label).unmaximize(), null),
    toggle_maximize: toggleMaximize,
    // What a double click on a `data-tauri-drag-region` calls.
    internal_toggle_maximize: toggleMaximize,
    set_fullscreen: async (a: A) => {
      if (typeof a.value !== "boolean") throw new FerryError("invalid_args", "value must be a boolean");
      await windowOf(a.label).setFullscreen(a.value);
      return null;
    },
    set_resizable: async (a: A) => {
      if (typeof a.value !== "boolean") throw new FerryError("invalid_args", "value must be a boolean");
      await windowOf(a.label).setResizable(a.value);
      return null;
    },
    /**
     * Tauri's close: a window whose own page listens to `tauri://close-requested` is asked
     * (its `onCloseRequested` handler decides and calls `destroy`); otherwise it closes.
     */
    close: async (a: A, ctx) => {
      const w = windowOf(a.label);
      if (ctx.app.listenerCount("tauri://close-requested", w.label) > 0) {
        ctx.app.emitTo(w.label, "tauri://close-requested", null);
        return null;
      }
      await w.close();
      return null;
    },
    destroy: async (a: A) => (await windowOf(a.label).close(), null),
    set_theme: (a: A) => setTheme(a.value, "value"),
  };

  /** `new WebviewWindow(label, options)`: Tauri's window options, the subset ferry supports. */
  const createWebviewWindow = async (args: { options?: unknown }) => {
    const o = args.options as Record<string, unknown> | undefined;
    if (typeof o !== "object" || o === null) throw new FerryError("invalid_args", "options must be an object");
    const picked: Record<string, unknown> = { label: o.label };
    const kinds: Record<string, string> = {
      url: "string",
      title: "string",
      width: "number",
      height: "number",
      x: "number",
      y: "number",
      resizable: "boolean",
      visible: "boolean",
      center: "boolean",
      maximized: "boolean",
      fullscreen: "boolean",
      focus: "boolean",
    };
    for (const [key, kind] of Object.entries(kinds)) {
      if (o[key] === undefined || o[key] === null) continue;
      if (typeof o[key] !== kind) throw new FerryError("invalid_args", `options.${key} must be a ${kind}`);
      picked[key] = o[key];
    }
    await openWindow(picked as unknown as WindowOptions);
    return null;
  };

  const plugins: Plugin[] = [
    {
      name: "window",
      permissions: defaultSet("Read the app's windows: sizes, positions, states, titles.", WINDOW_READS),
      commands: windowCommands,
    },
    {
      name: "webview",
      permissions: defaultSet("List the app's webviews.", ["get_all_webviews"]),
      commands: {
        ...unsupportedCommands("webview", WEBVIEW_UNSUPPORTED, engineName),
        get_all_webviews: () => [...open.keys()].map((label) => ({ label, windowLabel: label })),
        create_webview_window: createWebviewWindow,
      },
    },
    {
      name: "app",
      permissions: defaultSet("Read the app's name, version and identifier.", [
        "version",
        "name",
        "tauri_version",
        "identifier",
        "bundle_type",
      ]),
      commands: {
        version: () => options.version ?? "0.0.0",
        name: () => options.name,
        tauri_version: () => "2.0.0",
        identifier: () => options.identifier ?? null,
        bundle_type: () => null,
        app_show: async () => {
          await Promise.all([...open.values()].map((w) => w.show()));
          return null;
        },
        app_hide: async () => {
          await Promise.all([...open.values()].map((w) => w.hide()));
          return null;
        },
        set_app_theme: (a: { theme?: unknown }) => setTheme(a.theme, "theme"),
        exit: () => {
          setImmediate(() => void api.close());
          return null;
        },
      },
    },
  ];

  const api: Windows = {
    plugins,
    async start(e, s, a) {
      engine = e;
      server = s;
      app = a;
      engine.onExit(() => {
        for (const label of [...open.keys()]) closed(label);
        end();
      });
      for (const w of options.windows ?? []) await openWindow(w);
      startedOnce = true;
      if (open.size === 0 && !options.keepRunning && (options.windows ?? []).length > 0) end();
    },
    open: openWindow,
    get: (label) => open.get(label),
    labels: () => [...open.keys()],
    on(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async close() {
      await engine?.shutdown();
      for (const label of [...open.keys()]) closed(label);
      end();
      await done;
    },
    done,
  };
  return api;
}

/** The app handle type the plugins use, re-exported for engines and tests. */
export type { AppHandle };
