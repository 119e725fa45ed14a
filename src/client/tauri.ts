/**
 * The Tauri bridge: the globals that `@tauri-apps/api` and Tauri's plugin packages call
 * into (`window.__TAURI_INTERNALS__`, `window.__TAURI_EVENT_PLUGIN_INTERNALS__`), served
 * by a ferry client, so a frontend written for Tauri runs unchanged against ferry.
 *
 * The bridge's functions sit on the prototype of those two objects. `mockIPC` from
 * `@tauri-apps/api/mocks` sets own properties, which shadow them; `clearMocks` deletes
 * the own properties, which brings the bridge back. The two never fight.
 *
 * Uses the page's shared client module (`./shared.ts`), so that whichever served bundle
 * loaded first, the bridge and the page share one connection and channel registry.
 */

import type { Client, EventTarget } from "./index.ts";
import { ferry } from "./shared.ts";
import { assetKey } from "./asset-key.ts";

const { Channel, FerryError, FRAMEWORK_ERROR_KINDS } = ferry;
type Channel<T> = InstanceType<typeof Channel<T>>;

/** Tauri's hook for values that serialize themselves for IPC (`SERIALIZE_TO_IPC_FN`). */
const TO_IPC = "__TAURI_TO_IPC_KEY__";
const CHANNEL_REF = /^__CHANNEL__:(\d+)$/;
const CHANNEL_MARKER = "__TAURI_CHANNEL_MARKER__";
const frameworkKinds = new Set<string>(FRAMEWORK_ERROR_KINDS);
/** Every bridge call asks for Tauri's error shape (see `InvokeOptions.errors`). */
const TAURI_CALL = { errors: "tauri" } as const;

type RawArgs = (body: Uint8Array, headers: Record<string, string>) => Record<string, unknown>;

/** plugin-fs sends a write as a raw body with `path` and `options` headers; ferry's fs plugin takes named args. */
const fsWrite =
  (text: boolean): RawArgs =>
  (body, headers) => ({
    path: decodeURIComponent(headers.path ?? ""),
    ...(headers.options ? { options: JSON.parse(headers.options) as unknown } : {}),
    data: text ? new TextDecoder().decode(body) : body,
  });

/**
 * Where Tauri's packages and ferry's plugins shape the same call differently. Raw-body
 * calls to other commands arrive as `{ body, headers }`.
 */
const rawArgs: Record<string, RawArgs> = {
  "plugin:fs|write_file": fsWrite(false),
  "plugin:fs|write_text_file": fsWrite(true),
};
/** Commands whose text result Tauri's packages expect as UTF-8 bytes (plugin-fs decodes them itself). */
const textAsBytes = new Set(["plugin:fs|read_text_file"]);

/** Plugins whose Tauri counterparts reject with strings: every error of theirs reaches a Tauri page as its message. */
const STRING_ERRORS = /^plugin:(?:fs|path|resources)\|/;

/** What `installTauriBridge` needs: the ferry connection and this window's label. */
export interface TauriBridgeOptions {
  /** The ferry connection to use, asked for on each call. */
  client: () => Client;
  /** This window's label, for `metadata` (what `getCurrentWindow().label` reads). */
  label: string;
  /**
   * This window's token. `convertFileSrc` URLs carry the key derived from it (`assetKey`), never
   * the token; the backend serves them only to live windows. Without it, those URLs are refused (403).
   */
  token?: () => string | undefined;
  /** The backend's HTTP origin for `convertFileSrc` URLs. Default: the page's own (`location.origin`). */
  origin?: string;
}

type Callback = (data: unknown) => void;

/** The part of `window.__TAURI_INTERNALS__` the bridge provides. */
export interface TauriInternals {
  invoke(cmd: string, args?: unknown, options?: { headers?: unknown }): Promise<unknown>;
  transformCallback(callback?: Callback, once?: boolean): number;
  unregisterCallback(id: number): void;
  runCallback(id: number, data: unknown): void;
  callbacks: Map<number, Callback>;
  /** What `sep()` and `delimiter()` of `@tauri-apps/api/path` read: the backend machine's (the page runs on it too). */
  plugins: { path: { sep: string; delimiter: string } };
  convertFileSrc(filePath: string, protocol?: string): string;
  metadata: {
    currentWindow: { label: string };
    currentWebview: { windowLabel: string; label: string };
  };
}

/** The part of `window.__TAURI_EVENT_PLUGIN_INTERNALS__` the bridge provides. */
export interface TauriEventInternals {
  unregisterListener(event: string, eventId: number): void;
}

const isBytes = (v: unknown): v is ArrayBuffer | ArrayBufferView => v instanceof ArrayBuffer || ArrayBuffer.isView(v);

/** Bytes as Tauri hands them to the page: an `ArrayBuffer` of exactly those bytes. */
function toArrayBuffer(v: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (v instanceof ArrayBuffer) return v;
  const buffer = v.buffer as ArrayBuffer;
  if (v.byteOffset === 0 && v.byteLength === buffer.byteLength) return buffer;
  return buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
}

/** Applies Tauri's `SERIALIZE_TO_IPC_FN` hooks, walking plain objects and arrays. */
function toIpc(value: unknown): unknown {
  if (typeof value !== "object" || value === null || isBytes(value)) return value;
  const hook = (value as Record<string, unknown>)[TO_IPC];
  if (typeof hook === "function") return toIpc(hook.call(value));
  // @tauri-apps/api 2.0's Channel has no hook: its marker and `toJSON` give `__CHANNEL__:<id>`.
  const json = (value as { toJSON?: unknown }).toJSON;
  if ((value as Record<string, unknown>)[CHANNEL_MARKER] === true && typeof json === "function") return json.call(value);
  if (Array.isArray(value)) return value.map(toIpc);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = toIpc((value as Record<string, unknown>)[key]);
  return out;
}

/** Tauri request headers (a record, `Headers` or pairs) as a plain record. */
function headerRecord(headers: unknown): Record<string, string> {
  if (headers === undefined || headers === null) return {};
  const entries =
    typeof Headers !== "undefined" && headers instanceof Headers
      ? [...headers.entries()]
      : Array.isArray(headers)
        ? headers
        : Object.entries(headers);
  const out: Record<string, string> = {};
  for (const [k, v] of entries as [string, unknown][]) if (v !== undefined) out[String(k).toLowerCase()] = String(v);
  return out;
}

/**
 * What a Tauri rejection carries: a value the handler threw (kind `failed`) as that value
 * itself, as Tauri's `Err(e)` (an app command's `FerryError` arrives this way as its
 * `{ kind, message, data? }`, whatever its kind); a plugin's error of a kind of its own as
 * that object; ferry's own errors as their message string (what Tauri rejects with for those).
 * With `cmd`, every error of a plugin whose Tauri counterpart rejects with strings (`fs`,
 * `path`, `resources`) is its message string.
 */
export function tauriError(err: unknown, cmd?: string): unknown {
  if (!(err instanceof FerryError)) return err;
  if (cmd !== undefined && STRING_ERRORS.test(cmd)) return err.message;
  if (err.kind === "failed") return err.data === undefined ? err.message : err.data;
  return frameworkKinds.has(err.kind) ? err.message : err.toJSON();
}

/** True when the page runs on Windows, whose paths Tauri's `sep()` and `delimiter()` describe. */
const windowsPage = () => typeof navigator !== "undefined" && /Windows/.test(navigator.userAgent);

/**
 * Installs the bridge on `globalThis` (the page's `window`) and returns its internals.
 *
 * @example
 * installTauriBridge({ client, label: "main" });
 * await (await import("@tauri-apps/api/core")).invoke("greet", { name: "Ada" });
 */
export function installTauriBridge(options: TauriBridgeOptions): TauriInternals {
  const callbacks = new Map<number, Callback>();
  /** The asset key of the last token seen, so `convertFileSrc` hashes once per token. */
  let keyFor: string | undefined;
  let key = "-";
  /** Listener id (the backend's eventId, the `id` of its events) → the Tauri callback id its events run. */
  const listeners = new Map<number, number>();
  let nextCallbackId = 1;

  const runCallback = (id: number, data: unknown): void => {
    callbacks.get(id)?.(data);
  };

  /** A ferry channel feeding a Tauri `Channel`'s callback, in order, with Tauri's indexes. */
  const channelFor = (callbackId: number): Channel<unknown> => {
    let index = 0;
    const channel = new Channel<unknown>((message) => {
      // `index` for @tauri-apps/api 2.1+, `id` for 2.0 (both order by it).
      const i = index++;
      runCallback(callbackId, { index: i, id: i, message: isBytes(message) ? toArrayBuffer(message) : message });
    });
    channel.onclose = () => runCallback(callbackId, { index, end: true });
    return channel;
  };

  /** Named args for ferry: Tauri channels become ferry channels; a raw body becomes `{ body, headers }`. */
  const ferryArgs = (cmd: string, args: unknown, headers: unknown): unknown => {
    if (isBytes(args) || Array.isArray(args)) {
      const body = Array.isArray(args) ? Uint8Array.from(args as number[]) : new Uint8Array(toArrayBuffer(args));
      const record = headerRecord(headers);
      return rawArgs[cmd]?.(body, record) ?? { body, headers: record };
    }
    const plain = toIpc(args);
    if (typeof plain !== "object" || plain === null) return plain;
    const out = plain as Record<string, unknown>;
    for (const key of Object.keys(out)) {
      const m = typeof out[key] === "string" ? CHANNEL_REF.exec(out[key] as string) : null;
      if (m && callbacks.has(Number(m[1]))) out[key] = channelFor(Number(m[1]));
    }
    return out;
  };

  const listen = async (client: Client, args: { event: string; target?: EventTarget; handler: number }): Promise<number> => {
    // Events may arrive before this resolves; they run the callback, which
    // `unregisterListener` removes to stop delivery.
    const id = await client.addListener(
      args.event,
      (e) => runCallback(args.handler, e),
      args.target === undefined ? undefined : { target: args.target },
    );
    listeners.set(id, args.handler);
    return id;
  };

  const internals: TauriInternals = {
    async invoke(cmd, args = {}, invokeOptions) {
      const client = options.client();
      try {
        if (cmd === "plugin:event|listen") return await listen(client, args as Parameters<typeof listen>[1]);
        if (cmd === "plugin:event|unlisten") {
          const { event, eventId } = args as { event: string; eventId: number };
          listeners.delete(eventId);
          client.removeListener(event, eventId);
          return null;
        }
        const result = await client.invoke(cmd, ferryArgs(cmd, args, invokeOptions?.headers) as Record<string, unknown>, TAURI_CALL);
        if (typeof result === "string" && textAsBytes.has(cmd)) return toArrayBuffer(new TextEncoder().encode(result));
        return isBytes(result) ? toArrayBuffer(result) : result;
      } catch (err) {
        throw tauriError(err, cmd);
      }
    },
    transformCallback(callback, once = false) {
      const id = nextCallbackId++;
      callbacks.set(id, (data) => {
        if (once) callbacks.delete(id);
        callback?.(data);
      });
      return id;
    },
    unregisterCallback(id) {
      callbacks.delete(id);
    },
    runCallback,
    callbacks,
    plugins: { path: windowsPage() ? { sep: "\\", delimiter: ";" } : { sep: "/", delimiter: ":" } },
    convertFileSrc(filePath, protocol = "asset") {
      // Served by the ws transport (src/transports/protocol.ts), not a scheme of its own.
      const origin = options.origin ?? (typeof location === "undefined" ? "" : location.origin);
      const token = options.token?.();
      if (token !== keyFor) [keyFor, key] = [token, token ? assetKey(token) : "-"];
      return `${origin}/__ferry/protocol/${encodeURIComponent(protocol)}/${key}/${encodeURIComponent(filePath)}`;
    },
    metadata: {
      currentWindow: { label: options.label },
      currentWebview: { windowLabel: options.label, label: options.label },
    },
  };

  const eventInternals: TauriEventInternals = {
    unregisterListener(_event, eventId) {
      const callback = listeners.get(eventId);
      listeners.delete(eventId);
      if (callback !== undefined) callbacks.delete(callback);
    },
  };

  const g = globalThis as Record<string, unknown>;
  // Keep whatever is already there (a mock installed first still wins) and put the bridge beneath it.
  const adopt = (name: string, proto: object) => {
    const current = g[name];
    const target = typeof current === "object" && current !== null ? current : {};
    Object.setPrototypeOf(target, proto);
    g[name] = target;
  };
  adopt("__TAURI_INTERNALS__", internals);
  adopt("__TAURI_EVENT_PLUGIN_INTERNALS__", eventInternals);
  g.isTauri = true;
  return internals;
}
