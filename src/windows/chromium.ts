/**
 * The Chromium-family window engine: a browser the system already has (Chrome, Chromium,
 * Edge, Brave) in app mode, driven over the DevTools protocol on a pipe.
 *
 * What it rests on (measured with Debian 12's Chromium):
 * - Only `--app=<http(s) or data: URL>` gives an app window (no tabs, no URL bar); a second
 *   app window is a second launch with the same profile, which hands its `--app` to the
 *   running browser and exits.
 * - Each window starts on a `data:` page carrying a nonce, by which ferry finds its target;
 *   ferry attaches, installs the token script and the navigation guard, then navigates to
 *   the app's page, so the first load never races the setup.
 * - The token reaches the page through `Page.addScriptToEvaluateOnNewDocument`, which
 *   stores it in `sessionStorage` only when the document's origin is the app's: never in
 *   a URL, a process argument or an HTTP request.
 * - A window closed = `Target.targetDestroyed`. When ferry's end of the pipe closes (even
 *   when the backend is killed) the browser exits.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { FerryError } from "../protocol/errors.ts";
import { CdpPipe, type CdpEvent } from "./cdp.ts";
import { findBrowser } from "./discover.ts";
import {
  unsupported,
  type EngineOpenRequest,
  type EngineWindow,
  type EngineWindowEvents,
  type Position,
  type Size,
  type SupportMatrix,
  type WindowEngine,
} from "./engine.ts";

/** Options of `chromiumEngine`. */
export interface ChromiumEngineOptions {
  /** The app's own browser profile folder (kept across runs: localStorage, IndexedDB). */
  profileDir: string;
  /** The app's name: the window class the window manager sees (`--class`, WM_CLASS). */
  appName: string;
  /** The browser's executable. Default: `findBrowser()` (`FERRY_BROWSER` or the usual places). */
  executable?: string;
  /** Dev mode: DevTools may open. Default false (DevTools windows are closed as they appear). */
  dev?: boolean;
  /** Origins besides each window's own that its pages may navigate to (a dev server). */
  allowedOrigins?: string[];
  /** Opens a URL the app may not navigate to in the user's browser; resolves false if it could not. */
  openExternal?: (url: string) => Promise<boolean>;
  /** Where the engine reports what it did instead of what a page asked. Default: console.error. */
  log?: (message: string) => void;
  /** Further browser flags. */
  args?: string[];
  /** The browser's environment. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the browser to show a window. Default 30 000 ms. */
  startTimeoutMs?: number;
}

/** Flags that make a user's browser behave as an app's engine: no first-run UI, no sync, no keyring prompts. */
const APP_FLAGS = [
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-sync",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-default-apps",
  "--disable-session-crashed-bubble",
  "--hide-crash-restore-bubble",
  "--password-store=basic",
  "--disable-features=Translate,MediaRouter,DialMediaRouteProvider",
];

const SUPPORT: SupportMatrix = {
  setTitle: true,
  setSize: true,
  setPosition: true,
  show: true,
  hide: "the DevTools protocol cannot hide a browser window (minimizing is not hiding)",
  focus: true,
  minimize: true,
  maximize: true,
  setFullscreen: true,
  setResizable: "the DevTools protocol cannot make a browser window fixed-size",
  closeRequested: "the browser closes a window the user closes without asking first; close() calls are reported",
};

/** The script every document of a window runs first: the token, for the app's origin only. */
function tokenScript(origin: string, token: string, label: string): string {
  return `(() => { if (location.origin !== ${JSON.stringify(origin)}) return; try { sessionStorage.setItem("ferry-token", ${JSON.stringify(
    token,
  )}); sessionStorage.setItem("ferry-label", ${JSON.stringify(label)}); } catch {} })();`;
}

/** The origin of a URL, or undefined for URLs without one (data:, about:). */
function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.origin === "null" ? undefined : u.origin;
  } catch {
    return undefined;
  }
}

/** A held lock on the profile: one running app per profile. */
function lockProfile(profileDir: string, appName: string): () => void {
  const file = join(profileDir, "ferry.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, "utf8") === String(process.pid)) unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(readFileSync(file, "utf8"));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new FerryError(
          "already_running",
          `${appName} is already running (process ${pid}) with this profile (${profileDir}); its windows stay its own. Close it first.`,
          { pid, profileDir },
        );
      }
      unlinkSync(file); // stale: its process is gone
    }
  }
  throw new FerryError("already_running", `could not lock the profile ${profileDir}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface Bounds {
  left: number;
  top: number;
  width: number;
  height: number;
  windowState: "normal" | "minimized" | "maximized" | "fullscreen";
}

/** One app window: a page target in the browser, with its own DevTools session. */
class ChromiumWindow implements EngineWindow {
  readonly label: string;
  readonly targetId: string;
  readonly #engine: ChromiumEngine;
  readonly #pipe: CdpPipe;
  readonly #session: string;
  readonly #events: EngineWindowEvents;
  readonly #allowed: Set<string>;
  #title: string | undefined;
  #closed = false;
  /**
   * The wait for the app page's DOMContentLoaded: the loader ids whose document is ready,
   * the one `Page.navigate` started (once it answered), and the wait's resolver. Matching
   * by loader id keeps a late event from the boot page from ending the wait early.
   */
  #loading: { ready: Set<string>; loaderId?: string; resolve: () => void } | undefined;
  readonly #whenClosed: Promise<void>;
  #markClosed!: () => void;

  constructor(
    engine: ChromiumEngine,
    pipe: CdpPipe,
    label: string,
    targetId: string,
    session: string,
    events: EngineWindowEvents,
    allowed: Set<string>,
  ) {
    this.label = label;
    this.#engine = engine;
    this.#pipe = pipe;
    this.targetId = targetId;
    this.#session = session;
    this.#events = events;
    this.#allowed = allowed;
    this.#whenClosed = new Promise((resolve) => (this.#markClosed = resolve));
  }

  /** Called by the engine when the browser reports the target gone. */
  gone(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#markClosed();
    this.#events.closed();
  }

  /** Called by the engine for this window's session events. */
  event(e: CdpEvent): void {
    if (e.method === "Fetch.requestPaused") void this.#guard(e.params);
    else if (e.method === "Page.lifecycleEvent" && e.params.name === "DOMContentLoaded" && e.params.frameId === this.targetId) {
      const loading = this.#loading;
      if (loading) {
        const loaderId = e.params.loaderId as string;
        if (loading.loaderId === undefined) loading.ready.add(loaderId);
        else if (loading.loaderId === loaderId) loading.resolve();
      }
      if (this.#title !== undefined) void this.#applyTitle().catch(() => {});
    }
  }

  #send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(new FerryError("connection_closed", "the window is closed"));
    return this.#pipe.send(method, params, this.#session);
  }

  /** Lets a document request through when it stays on an allowed origin; stops a top-level one that leaves. */
  async #guard(params: Record<string, unknown>): Promise<void> {
    const requestId = params.requestId as string;
    const url = (params.request as { url: string }).url;
    const origin = originOf(url);
    const topLevel = params.frameId === this.targetId;
    try {
      if (!topLevel || origin === undefined || this.#allowed.has(origin)) {
        await this.#send("Fetch.continueRequest", { requestId });
        return;
      }
      // A 204 to a navigation leaves the current page in place.
      await this.#send("Fetch.fulfillRequest", { requestId, responseCode: 204, body: "" });
    } catch {
      return; // the window went away meanwhile
    }
    this.#events.navigationBlocked(url);
    await this.#engine.external(url);
  }

  async #applyTitle(): Promise<void> {
    await this.evaluate(`void (document.title = ${JSON.stringify(this.#title)})`);
  }

  /** Installs the token script and the guard, sizes the window, then loads the page. */
  async setUp(request: EngineOpenRequest): Promise<void> {
    await this.#send("Page.enable");
    await this.#send("Page.setLifecycleEventsEnabled", { enabled: true });
    await this.#send("Page.addScriptToEvaluateOnNewDocument", { source: tokenScript(request.origin, request.token, request.label) });
    await this.#send("Fetch.enable", { patterns: [{ urlPattern: "*", resourceType: "Document", requestStage: "Request" }] });
    if (request.title !== undefined) this.#title = request.title;
    if (request.width !== undefined || request.height !== undefined) {
      await this.setSize({ width: request.width ?? 800, height: request.height ?? 600 });
    }
    if (request.x !== undefined || request.y !== undefined) await this.setPosition({ x: request.x ?? 0, y: request.y ?? 0 });
    if (request.fullscreen) await this.setFullscreen(true);
    else if (request.maximized) await this.maximize();
    // Resolve once the app's page has loaded its document (or after 30 s: a slow page still has its window).
    const loaded = new Promise<void>((resolve) => {
      this.#loading = { ready: new Set(), resolve };
      setTimeout(resolve, 30_000).unref();
    });
    const loading = this.#loading!;
    const navigated = await this.#send("Page.navigate", { url: request.pageUrl });
    // No loader id: the navigation failed or was stopped by the guard, and the window keeps its page.
    if (typeof navigated.loaderId !== "string" || navigated.errorText) loading.resolve();
    else if (loading.ready.has(navigated.loaderId)) loading.resolve();
    else loading.loaderId = navigated.loaderId;
    await Promise.race([loaded, this.#whenClosed]);
    this.#loading = undefined;
  }

  async #windowId(): Promise<number> {
    const r = await this.#send("Browser.getWindowForTarget", { targetId: this.targetId });
    return r.windowId as number;
  }

  async #bounds(): Promise<Bounds> {
    const r = await this.#send("Browser.getWindowBounds", { windowId: await this.#windowId() });
    return r.bounds as Bounds;
  }

  async #setBounds(bounds: Partial<Bounds>): Promise<void> {
    const windowId = await this.#windowId();
    const hasGeometry = ["left", "top", "width", "height"].some((k) => k in bounds);
    if (hasGeometry) {
      const current = (await this.#send("Browser.getWindowBounds", { windowId })).bounds as Bounds;
      if (current.windowState !== "normal") await this.#send("Browser.setWindowBounds", { windowId, bounds: { windowState: "normal" } });
    }
    await this.#send("Browser.setWindowBounds", { windowId, bounds });
    // The window manager applies it asynchronously: resolve once the browser reports it (or after 2 s).
    const deadline = Date.now() + 2000;
    for (;;) {
      const now = (await this.#send("Browser.getWindowBounds", { windowId })).bounds as Bounds;
      const applied = (Object.keys(bounds) as (keyof Bounds)[]).every((k) => now[k] === bounds[k]);
      if (applied || Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#pipe.send("Target.closeTarget", { targetId: this.targetId }).catch(() => {});
    await this.#whenClosed;
  }

  async setTitle(title: string): Promise<void> {
    this.#title = title;
    await this.#applyTitle();
  }

  async title(): Promise<string> {
    // An app window shows its document's title.
    return (await this.evaluate("document.title")) as string;
  }

  async setSize(size: Size): Promise<void> {
    // The page's size is asked for; the browser sizes the frame around it.
    const [dw, dh] = (await this.evaluate("[outerWidth - innerWidth, outerHeight - innerHeight]")) as [number, number];
    await this.#setBounds({ width: Math.round(size.width + dw), height: Math.round(size.height + dh) });
  }

  async innerSize(): Promise<Size> {
    const [w, h, r] = (await this.evaluate("[innerWidth, innerHeight, devicePixelRatio]")) as [number, number, number];
    return { width: Math.round(w * r), height: Math.round(h * r) };
  }

  async outerSize(): Promise<Size> {
    const b = await this.#bounds();
    const r = await this.scaleFactor();
    return { width: Math.round(b.width * r), height: Math.round(b.height * r) };
  }

  async setPosition(position: Position): Promise<void> {
    await this.#setBounds({ left: Math.round(position.x), top: Math.round(position.y) });
  }

  async outerPosition(): Promise<Position> {
    const b = await this.#bounds();
    const r = await this.scaleFactor();
    return { x: Math.round(b.left * r), y: Math.round(b.top * r) };
  }

  /** The window is always shown: this engine cannot hide one. */
  async show(): Promise<void> {
    await this.#windowId(); // rejects once the window is gone
  }

  hide(): Promise<void> {
    return Promise.reject(unsupported("chromium", "hide", SUPPORT.hide as string));
  }

  async isVisible(): Promise<boolean> {
    await this.#windowId();
    return true;
  }

  async focus(): Promise<void> {
    const b = await this.#bounds();
    if (b.windowState === "minimized") await this.#setBounds({ windowState: "normal" });
    await this.#pipe.send("Target.activateTarget", { targetId: this.targetId });
  }

  minimize(): Promise<void> {
    return this.#setBounds({ windowState: "minimized" });
  }

  unminimize(): Promise<void> {
    return this.#setBounds({ windowState: "normal" });
  }

  maximize(): Promise<void> {
    return this.#setBounds({ windowState: "maximized" });
  }

  unmaximize(): Promise<void> {
    return this.#setBounds({ windowState: "normal" });
  }

  async isMaximized(): Promise<boolean> {
    return (await this.#bounds()).windowState === "maximized";
  }

  async isMinimized(): Promise<boolean> {
    return (await this.#bounds()).windowState === "minimized";
  }

  setFullscreen(on: boolean): Promise<void> {
    return this.#setBounds({ windowState: on ? "fullscreen" : "normal" });
  }

  async isFullscreen(): Promise<boolean> {
    return (await this.#bounds()).windowState === "fullscreen";
  }

  async setResizable(on: boolean): Promise<void> {
    if (!on) throw unsupported("chromium", "setResizable(false)", SUPPORT.setResizable as string);
    await this.#windowId();
  }

  async scaleFactor(): Promise<number> {
    return (await this.evaluate("devicePixelRatio")) as number;
  }

  async evaluate(expression: string): Promise<unknown> {
    const r = await this.#send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true, userGesture: true });
    const thrown = r.exceptionDetails as { exception?: { description?: string }; text?: string } | undefined;
    if (thrown) throw new Error(thrown.exception?.description ?? thrown.text ?? "the page threw");
    return (r.result as { value?: unknown }).value;
  }
}

/**
 * Creates the Chromium-family engine. The browser starts with the first window and ends
 * with `shutdown()`, with the last `close`, or when this process ends.
 *
 * @example
 * const engine = chromiumEngine({ profileDir: "/home/ada/.local/share/dev.ferry.notes/chromium", appName: "notes" });
 */
export function chromiumEngine(options: ChromiumEngineOptions): WindowEngine & {
  /** The browser's process id once it runs. */
  readonly pid: number | undefined;
  /** The browser's executable. */
  readonly executable: string;
} {
  return new ChromiumEngine(options);
}

class ChromiumEngine implements WindowEngine {
  readonly name = "chromium";
  readonly support = SUPPORT;
  readonly executable: string;
  readonly #options: ChromiumEngineOptions;
  readonly #log: (message: string) => void;
  #child: ChildProcess | undefined;
  #pipe: CdpPipe | undefined;
  #unlock: (() => void) | undefined;
  readonly #windows = new Map<string, ChromiumWindow>();
  readonly #bySession = new Map<string, ChromiumWindow>();
  /** Nonce → resolver of the target id that carries it. */
  readonly #waiting = new Map<string, (targetId: string) => void>();
  /** Targets that are (or are becoming) ferry's windows. */
  readonly #claimed = new Set<string>();
  /** Targets ferry did not open and has not dealt with yet. */
  readonly #strangers = new Set<string>();
  readonly #onExit = new Set<() => void>();
  #exited: Promise<void> | undefined;
  /** The browser is shutting down after its last window closed. */
  #retiring: Promise<void> | undefined;
  /** This process is ending without `shutdown()`: the browser goes with it, the profile is unlocked. */
  readonly #killOnExit = () => {
    this.#child?.kill("SIGKILL");
    this.#unlock?.();
  };

  constructor(options: ChromiumEngineOptions) {
    this.#options = options;
    this.#log = options.log ?? ((m) => console.error(`ferry: ${m}`));
    this.executable = options.executable ?? findBrowser({ env: options.env ?? process.env });
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  onExit(fn: () => void): void {
    this.#onExit.add(fn);
  }

  /** Opens a URL the app's windows may not go to in the user's own browser. */
  async external(url: string): Promise<void> {
    const scheme = url.slice(0, url.indexOf(":") + 1);
    if (!["http:", "https:", "mailto:"].includes(scheme) || !this.#options.openExternal) return;
    if (!(await this.#options.openExternal(url))) this.#log(`could not open ${url} in the system browser`);
  }

  #flags(bootUrl: string, request: EngineOpenRequest): string[] {
    const flags = [`--user-data-dir=${this.#options.profileDir}`, ...APP_FLAGS, `--class=${this.#options.appName}`];
    // Chromium refuses to run as root with its sandbox (containers, CI).
    if (process.getuid?.() === 0) flags.push("--no-sandbox");
    const app = new URL(request.origin);
    const server = new URL(request.serverOrigin);
    // The app's stable origin (no port) reaches the server's port: same origin, same storage, every run.
    if (app.host !== server.host) flags.push(`--host-resolver-rules=MAP ${app.hostname} ${server.hostname}:${server.port}`);
    // Both flags above make the browser show an "unsupported command-line flag" bar over the
    // app; --test-type is how harnesses that need them suppress it.
    if (flags.some((f) => f === "--no-sandbox" || f.startsWith("--host-resolver-rules="))) flags.push("--test-type");
    if (request.width !== undefined && request.height !== undefined) flags.push(`--window-size=${request.width},${request.height}`);
    if (request.x !== undefined && request.y !== undefined) flags.push(`--window-position=${request.x},${request.y}`);
    return [...flags, ...(this.#options.args ?? []), `--app=${bootUrl}`];
  }

  /** Starts the browser on its first window. */
  #start(bootUrl: string, request: EngineOpenRequest): CdpPipe {
    mkdirSync(this.#options.profileDir, { recursive: true, mode: 0o700 });
    this.#unlock = lockProfile(this.#options.profileDir, this.#options.appName);
    const child = spawn(this.executable, ["--remote-debugging-pipe", ...this.#flags(bootUrl, request)], {
      stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"],
      env: this.#options.env ?? process.env,
    });
    this.#child = child;
    process.once("exit", this.#killOnExit);
    const pipe = new CdpPipe(child.stdio[3] as Writable, child.stdio[4] as Readable);
    this.#pipe = pipe;
    this.#exited = new Promise((resolve) => {
      const done = () => {
        process.off("exit", this.#killOnExit);
        this.#unlock?.();
        // Ending with windows open is news (a crash, a kill); ending after the last closed is not.
        const unexpected = this.#windows.size > 0 && !this.#retiring;
        for (const w of [...this.#windows.values()]) w.gone();
        this.#windows.clear();
        resolve();
        if (unexpected) for (const fn of this.#onExit) fn();
      };
      child.once("exit", done);
      child.once("error", (err) => {
        this.#log(`could not start ${this.executable}: ${err.message}`);
        done();
      });
    });
    pipe.on((e) => this.#event(e));
    return pipe;
  }

  #event(e: CdpEvent): void {
    if (e.sessionId) {
      this.#bySession.get(e.sessionId)?.event(e);
      return;
    }
    const info = e.params.targetInfo as { targetId: string; type: string; url: string } | undefined;
    if ((e.method === "Target.targetCreated" || e.method === "Target.targetInfoChanged") && info?.type === "page") {
      this.#classify(info);
    } else if (e.method === "Target.targetDestroyed") {
      const id = e.params.targetId as string;
      this.#strangers.delete(id);
      this.#claimed.delete(id);
      const w = this.#windows.get(id);
      if (w) {
        this.#windows.delete(id);
        w.gone();
        // The browser ends with its last window; a later open starts it again.
        if (this.#windows.size === 0 && this.#waiting.size === 0) this.#retiring ??= this.shutdown();
      }
    }
  }

  /** A page target: one of ferry's windows being born, or something to close (a tab, DevTools, window.open). */
  #classify(info: { targetId: string; url: string }): void {
    if (this.#claimed.has(info.targetId)) return;
    for (const [nonce, resolve] of this.#waiting) {
      if (info.url.includes(nonce)) {
        this.#waiting.delete(nonce);
        this.#claimed.add(info.targetId);
        this.#strangers.delete(info.targetId);
        resolve(info.targetId);
        return;
      }
    }
    if (info.url === "" || info.url === "about:blank") {
      // Not yet navigated: decide when it has a URL, or close it if it never gets one.
      if (!this.#strangers.has(info.targetId)) {
        this.#strangers.add(info.targetId);
        setTimeout(() => {
          if (this.#strangers.has(info.targetId)) void this.#dismiss(info.targetId, "");
        }, 2000).unref();
      }
      return;
    }
    if (this.#options.dev && info.url.startsWith("devtools://")) return;
    void this.#dismiss(info.targetId, info.url);
  }

  /** Closes a page ferry did not open; a foreign http(s) page goes to the user's browser instead. */
  async #dismiss(targetId: string, url: string): Promise<void> {
    this.#strangers.delete(targetId);
    await this.#pipe?.send("Target.closeTarget", { targetId }).catch(() => {});
    // Browser UI (a new tab from Ctrl+T, DevTools outside dev mode) just goes away.
    if (/^(?:devtools|chrome|edge|brave):/.test(url)) return;
    const origin = originOf(url);
    if (origin !== undefined && !this.#ownOrigin(origin)) await this.external(url);
    else if (url)
      this.#log(
        `closed a browser window or tab the app did not open (${url.slice(0, 200)}); open windows with new WebviewWindow or windows.open`,
      );
  }

  #ownOrigin(origin: string): boolean {
    return (this.#options.allowedOrigins ?? []).includes(origin) || [...this.#origins].includes(origin);
  }

  readonly #origins = new Set<string>();

  async open(request: EngineOpenRequest, events: EngineWindowEvents): Promise<EngineWindow> {
    const nonce = randomBytes(12).toString("hex");
    const bootUrl = `data:text/html;charset=utf-8,${encodeURIComponent(
      `<!doctype html><title>${request.title ?? ""}</title><meta name="ferry-window" content="${nonce}"><body style="background:#fff">`,
    )}`;
    this.#origins.add(request.origin);
    const found = new Promise<string>((resolve) => this.#waiting.set(nonce, resolve));
    if (this.#retiring) {
      await this.#retiring;
      this.#retiring = undefined;
    }
    let pipe = this.#pipe;
    if (!pipe || pipe.closed) {
      pipe = this.#start(bootUrl, request);
      await pipe.send("Target.setDiscoverTargets", { discover: true });
    } else {
      this.#launchAnother(bootUrl, request);
    }
    const timeout = this.#options.startTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const targetId = await Promise.race([
      found,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new FerryError("unsupported", `${this.executable} did not open a window within ${timeout} ms (is there a display?)`)),
          timeout,
        );
      }),
      this.#exited!.then(() => {
        throw new FerryError(
          "unsupported",
          `${this.executable} exited before it opened a window (is there a display? DISPLAY=${(this.#options.env ?? process.env).DISPLAY ?? ""})`,
        );
      }),
    ]).finally(() => {
      clearTimeout(timer);
      this.#waiting.delete(nonce);
    });
    const { sessionId } = (await pipe.send("Target.attachToTarget", { targetId, flatten: true })) as { sessionId: string };
    const allowed = new Set([request.origin, ...(this.#options.allowedOrigins ?? [])]);
    const win = new ChromiumWindow(this, pipe, request.label, targetId, sessionId, events, allowed);
    this.#windows.set(targetId, win);
    this.#bySession.set(sessionId, win);
    try {
      await win.setUp(request);
    } catch (err) {
      await win.close().catch(() => {});
      throw err;
    }
    return win;
  }

  /** A second window: a second launch on the same profile hands its `--app` to the running browser. */
  #launchAnother(bootUrl: string, request: EngineOpenRequest): void {
    const launcher = spawn(this.executable, this.#flags(bootUrl, request), { stdio: "ignore", env: this.#options.env ?? process.env });
    launcher.once("error", (err) => this.#log(`could not start ${this.executable}: ${err.message}`));
    // It exits at once after the handover; one that stays has become a browser of its own.
    const timer = setTimeout(() => launcher.kill("SIGKILL"), 15_000);
    timer.unref();
    launcher.once("exit", () => clearTimeout(timer));
  }

  async shutdown(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await this.#pipe?.send("Browser.close").catch(() => {});
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await this.#exited;
    clearTimeout(timer);
  }
}
