/**
 * The window seam: what a window engine (a browser ferry drives, a WebView) implements.
 * The window manager (`./manager.ts`) sits above it and never knows which engine it has.
 *
 * An engine says what it can do in `support`; an operation it cannot do rejects with kind
 * `unsupported` (`unsupported()`), never with a look-alike (no minimize for `hide`).
 */

import { FerryError } from "../protocol/errors.ts";

/** A window's options when it opens: Tauri's `WindowConfig` field names for what ferry supports. */
export interface WindowOptions {
  /** The window's label: what capabilities match on. Letters, digits, `-`, `/`, `:`, `_`. */
  label: string;
  /** The page: a path on the app's origin (`index.html`, `/settings`) or a full http(s) URL on it. */
  url?: string;
  /** The window's title. */
  title?: string;
  /** Inner width in logical pixels. Default 800. */
  width?: number;
  /** Inner height in logical pixels. Default 600. */
  height?: number;
  /** Left edge of the window on the screen. */
  x?: number;
  /** Top edge of the window on the screen. */
  y?: number;
  /** Open in the middle of the screen (unless `x`/`y` are given). */
  center?: boolean;
  /** Whether the user may resize the window. Default true. */
  resizable?: boolean;
  /** Whether the window is shown when it opens. Default true. */
  visible?: boolean;
  /** Open maximized. */
  maximized?: boolean;
  /** Open fullscreen. */
  fullscreen?: boolean;
  /** Give the window focus when it opens. Default true. */
  focus?: boolean;
}

/** What an engine needs to open a window: its options, the page's full URL, and how the page authenticates. */
export interface EngineOpenRequest extends WindowOptions {
  /** The page's URL (no token in it). */
  pageUrl: string;
  /** The only origin that receives the token; navigations elsewhere never see it. */
  origin: string;
  /** The window's token, handed to pages on `origin` only, never in a URL or an argument list. */
  token: string;
  /**
   * Where the server really listens (`http://127.0.0.1:<port>`). When `origin` differs (the
   * app's stable `http://<name>.localhost`), the engine maps that host to this address.
   */
  serverOrigin: string;
}

/** What an engine reports about a window. */
export interface EngineWindowEvents {
  /** The window is gone (closed by the user, the window manager, or `close`). */
  closed(): void;
  /** The page tried to leave the app's origin; the navigation was stopped. */
  navigationBlocked(url: string): void;
}

/** A window size in pixels. */
export interface Size {
  width: number;
  height: number;
}

/** A window position in pixels. */
export interface Position {
  x: number;
  y: number;
}

/** One open window, as its engine drives it. Sizes and positions are physical pixels. */
export interface EngineWindow {
  /** The window's label. */
  readonly label: string;
  /** Closes the window; resolves once it is gone. */
  close(): Promise<void>;
  /** Sets the title the window manager shows. */
  setTitle(title: string): Promise<void>;
  /** The title the window shows. */
  title(): Promise<string>;
  /** Sets the inner (page) size; logical pixels. */
  setSize(size: Size): Promise<void>;
  /** The page's size. */
  innerSize(): Promise<Size>;
  /** The window's size, frame included. */
  outerSize(): Promise<Size>;
  /** Moves the window; logical pixels. */
  setPosition(position: Position): Promise<void>;
  /** The window's top-left corner on the screen. */
  outerPosition(): Promise<Position>;
  /** Shows a hidden window. */
  show(): Promise<void>;
  /** Hides the window (not minimize). */
  hide(): Promise<void>;
  /** Whether the window is shown. */
  isVisible(): Promise<boolean>;
  /** Brings the window to the front with input focus. */
  focus(): Promise<void>;
  /** Minimizes the window. */
  minimize(): Promise<void>;
  /** Restores a minimized window. */
  unminimize(): Promise<void>;
  /** Maximizes the window. */
  maximize(): Promise<void>;
  /** Restores a maximized window. */
  unmaximize(): Promise<void>;
  /** Whether the window is maximized. */
  isMaximized(): Promise<boolean>;
  /** Whether the window is minimized. */
  isMinimized(): Promise<boolean>;
  /** Enters or leaves fullscreen. */
  setFullscreen(on: boolean): Promise<void>;
  /** Whether the window is fullscreen. */
  isFullscreen(): Promise<boolean>;
  /** Lets the user resize the window or not. */
  setResizable(on: boolean): Promise<void>;
  /** The ratio of physical to logical pixels. */
  scaleFactor(): Promise<number>;
  /**
   * Runs a JavaScript expression in the window's page and resolves with its (JSON) value,
   * awaiting a promise. For tests and tooling: it bypasses capabilities.
   */
  evaluate(expression: string): Promise<unknown>;
}

/** The operations whose support varies by engine. */
export const ENGINE_OPERATIONS = [
  "setTitle",
  "setSize",
  "setPosition",
  "show",
  "hide",
  "focus",
  "minimize",
  "maximize",
  "setFullscreen",
  "setResizable",
  "closeRequested",
] as const;

/** One operation whose support varies by engine. */
export type EngineOperation = (typeof ENGINE_OPERATIONS)[number];

/** Per operation: `true`, or why the engine cannot do it (the `unsupported` error's message). */
export type SupportMatrix = Record<EngineOperation, true | string>;

/** A window engine: opens windows and says what it supports. */
export interface WindowEngine {
  /** The engine's name, e.g. `chromium`. */
  readonly name: string;
  /** What it can do; the contract suite checks each claim. */
  readonly support: SupportMatrix;
  /** Opens one window and resolves once its page is loading. */
  open(request: EngineOpenRequest, events: EngineWindowEvents): Promise<EngineWindow>;
  /** Closes every window and ends the engine; resolves once its processes are gone. */
  shutdown(): Promise<void>;
  /** Calls `fn` when the engine ends on its own (the browser exited or crashed). */
  onExit(fn: () => void): void;
}

/** The `unsupported` error an engine rejects with for what it cannot do. */
export function unsupported(engine: string, operation: string, why: string): FerryError {
  return new FerryError("unsupported", `${operation} is not supported by the ${engine} window engine: ${why}`, { engine, operation });
}

/** Window labels as Tauri allows them: `a-zA-Z0-9`, `-`, `/`, `:`, `_`. */
export const LABEL_PATTERN = /^[a-zA-Z0-9\-/:_]{1,128}$/;
