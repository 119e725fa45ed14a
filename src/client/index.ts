/**
 * ferry's page API: `invoke`, `listen`, `once`, `emit`, `emitTo`, `Channel`, `FerryError`.
 *
 * In a page served by a ferry backend these connect on first use to the backend that served
 * the page, with the window token the page was opened with (`#ferry-token=…`, kept in
 * sessionStorage so reloads work). `connect()` makes a connection explicitly.
 */

import type { Client } from "./core.ts";
import { createClient, type EventCallback, type EventTarget, type InvokeOptions, type UnlistenFn } from "./core.ts";
import { browserTransport } from "./browser-ws.ts";
import type { ClientOf } from "./types.ts";
import { FerryError } from "../protocol/errors.ts";

export { Channel, Client, createClient } from "./core.ts";
export type {
  ClientTransport,
  Event,
  EventCallback,
  EventTarget,
  InvokeOptions,
  ListenOptions,
  TransportSink,
  UnlistenFn,
} from "./core.ts";
export type { ArgsOf, CallPromise, ClientOf, CommandName, ErrorOf, EventName, ResultOf, TypedClient, Wire } from "./types.ts";
export { FerryError, FRAMEWORK_ERROR_KINDS } from "../protocol/errors.ts";
export type { ErrorKind, FrameworkErrorKind, WireError } from "../protocol/errors.ts";

const TOKEN_KEY = "ferry-token";

/** Reads the window token from the URL fragment (then removes it from the URL) or sessionStorage. */
function pageToken(): string {
  const m = /(?:^#|&)ferry-token=([0-9a-f]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1]!);
    const rest = location.hash.replace(/(?:^#|&)ferry-token=[0-9a-f]+/, "");
    history.replaceState(history.state, "", location.pathname + location.search + (rest ? `#${rest.replace(/^&/, "")}` : ""));
    return m[1]!;
  }
  const stored = sessionStorage.getItem(TOKEN_KEY);
  if (stored) return stored;
  throw new FerryError("connection_closed", "ferry: no window token: open the page from the app (its URL ends in #ferry-token=…)");
}

/** Options of `connect`; by default it connects to the backend that served the page. */
export interface ConnectOptions {
  /** WebSocket URL of the backend. Default: the backend that served this page. */
  url?: string;
  /** Window token. Default: from the page URL or sessionStorage. */
  token?: string;
}

/** Opens a connection to a ferry backend; `connect<App>()` types it by the backend's `App` type. */
export function connect<Api = unknown>(options: ConnectOptions = {}): ClientOf<Api> {
  if (typeof location === "undefined" || typeof WebSocket === "undefined") {
    throw new FerryError("connection_closed", 'ferry/client runs in a page; in Node.js use connectWs from "ferry/client/node"');
  }
  const url = options.url ?? `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/__ferry/ws`;
  return createClient<Api>(browserTransport(url, options.token ?? pageToken()));
}

let shared: Client | undefined;

/**
 * The page's shared connection, opened on first use. Throws when there is no page to
 * connect from. `client<App>()` is the same connection typed by the backend's `App` type.
 *
 * @example
 * import type { App } from "../backend";
 * const api = client<App>();
 */
export function client<Api = unknown>(): ClientOf<Api> {
  if (!shared || shared.isClosed) shared = connect();
  return shared as ClientOf<Api>;
}

/** Runs `fn` on the shared client; a failure to connect rejects instead of throwing. */
function withClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  let c: Client;
  try {
    c = client();
  } catch (err) {
    return Promise.reject(err);
  }
  return fn(c);
}

/** Calls a backend command. See `Client.invoke`. */
export function invoke<T = unknown>(cmd: string, args?: Record<string, unknown>, options?: InvokeOptions): Promise<T> {
  return withClient((c) => c.invoke<T>(cmd, args, options));
}

/** Listens to an event; resolves to the function that stops listening. */
export function listen<T = unknown>(event: string, handler: EventCallback<T>): Promise<UnlistenFn> {
  return withClient((c) => c.listen<T>(event, handler));
}

/** Listens to the next occurrence of an event only. */
export function once<T = unknown>(event: string, handler: EventCallback<T>): Promise<UnlistenFn> {
  return withClient((c) => c.once<T>(event, handler));
}

/** Emits an event to every listening window and the backend. */
export function emit(event: string, payload?: unknown): Promise<void> {
  return withClient((c) => c.emit(event, payload));
}

/** Emits an event to one window label. */
export function emitTo(target: EventTarget, event: string, payload?: unknown): Promise<void> {
  return withClient((c) => c.emitTo(target, event, payload));
}
