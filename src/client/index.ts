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
  ConnectionState,
  Event,
  EventCallback,
  EventTarget,
  InvokeOptions,
  ListenOptions,
  TransportSink,
  UnlistenFn,
} from "./core.ts";
export type {
  ArgsOf,
  CallPromise,
  ClientOf,
  CommandName,
  ErrorOf,
  EventName,
  ListenName,
  PayloadOf,
  RestOf,
  ResultOf,
  TypedClient,
  Wire,
} from "./types.ts";
export { FerryError, FRAMEWORK_ERROR_KINDS } from "../protocol/errors.ts";
export type { ErrorKind, FrameworkErrorKind, WireError } from "../protocol/errors.ts";

const TOKEN_KEY = "ferry-token";

/** Reads the window token from the URL fragment (then removes it from the URL) or sessionStorage. */
function pageToken(): string {
  const m = /(^#|&)ferry-token=([0-9a-f]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[2]!);
    // What else the fragment holds stays.
    const rest = location.hash.replace(m[0], m[1]!).replace("#&", "#");
    history.replaceState(history.state, "", location.pathname + location.search + (rest === "#" ? "" : rest));
    return m[2]!;
  }
  const stored = sessionStorage.getItem(TOKEN_KEY);
  if (stored) return stored;
  throw new FerryError("connection_closed", "this page has no window token: open the URL the backend printed (…#ferry-token=…)");
}

/** Options of `connect`; by default it connects to the backend that served the page. */
export interface ConnectOptions {
  /** WebSocket URL of the backend. Default: the backend that served this page. */
  url?: string;
  /** Window token. Default: from the page URL or sessionStorage. */
  token?: string;
  /**
   * Milliseconds a call waits for a connection (the first, or a new one after a drop) before
   * it rejects with `connection_closed` saying why. Default 10 000.
   */
  connectTimeout?: number;
}

/** Opens a connection to a ferry backend; `connect<App>()` types it by the backend's `App` type. */
export function connect<Api = unknown>(options: ConnectOptions = {}): ClientOf<Api> {
  if (typeof location === "undefined" || typeof WebSocket === "undefined") {
    throw new FerryError("connection_closed", 'not a page: in Node.js use "ferry/client/node"');
  }
  const url = options.url ?? `${location.origin.replace("http", "ws")}/__ferry/ws`;
  return createClient<Api>(browserTransport(url, options.token ?? pageToken(), options.connectTimeout));
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

/** The shared client's method `name`; a failure to connect rejects instead of throwing. */
const onShared =
  (name: "invoke" | "listen" | "once" | "emit" | "emitTo") =>
  (...args: unknown[]): Promise<any> => {
    try {
      return (client() as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args);
    } catch (err) {
      return Promise.reject(err);
    }
  };

/** Calls a backend command. See `Client.invoke`. */
export const invoke: <T = unknown>(cmd: string, args?: Record<string, unknown>, options?: InvokeOptions) => Promise<T> = onShared("invoke");

/** Listens to an event; resolves to the function that stops listening. */
export const listen: <T = unknown>(event: string, handler: EventCallback<T>) => Promise<UnlistenFn> = onShared("listen");

/** Listens to the next occurrence of an event only. */
export const once: <T = unknown>(event: string, handler: EventCallback<T>) => Promise<UnlistenFn> = onShared("once");

/** Emits an event to every listening window and the backend. */
export const emit: (event: string, payload?: unknown) => Promise<void> = onShared("emit");

/** Emits an event to one window label. */
export const emitTo: (target: EventTarget, event: string, payload?: unknown) => Promise<void> = onShared("emitTo");
