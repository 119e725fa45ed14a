/**
 * The dev-mode IPC inspector's backend half (docs/inspector.md): a feed of every window's
 * calls and events, with bounded previews of their values, for the connections authenticated
 * as the reserved label `__ferry_inspector`.
 *
 * - That label is the transport's to mint, in dev mode only; no capability can grant it
 *   anything: the router sends its calls here before any access rule is asked, and here the
 *   only command is `watch`.
 * - The feed goes to each watching connection as events for its one handler id, through the
 *   connection's own bound (`enqueueEvent`): a slow inspector loses the oldest rows and is
 *   told how many (`lagged`), and never makes the backend hold more than `maxBufferedBytes`.
 * - Previews are made only while someone watches (`watching`), are cut at `PREVIEW_CHARS`,
 *   and never carry tokens (`preview`).
 * - The inspector's own calls never reach the feed.
 */

import { FerryError } from "../protocol/errors.ts";
import type { InvokeMessage } from "../protocol/messages.ts";
import type { Connection } from "./connection.ts";
import { INSPECTOR_EVENT, type InspectorRow, type IpcLogLine } from "../protocol/inspector.ts";

/** The window label of the inspector's connections; reserved: no app window may take it. */
export const INSPECTOR_LABEL = "__ferry_inspector";

/** Characters a preview keeps before it is cut with `…`. */
export const PREVIEW_CHARS = 2048;

/** Nesting a preview descends before it writes `…`. */
const PREVIEW_DEPTH = 12;

/** Keys whose values a preview never shows. */
const SECRET_KEY = /token|secret|passw(or)?d|authorization|cookie|api[-_]?key|credential/i;

/** A run of 32 or more hex digits: a window token (64), an asset key (32), or anything shaped like one. */
const HEX_RUN = /[0-9a-f]{32,}/gi;

/** What replaces a secret in a preview. */
const REDACTED = "[redacted]";

/** `s` as a JSON string, hex runs redacted, cut to about `room` characters. */
function quote(s: string, room: number): string {
  // Redact before cutting, over enough past the cut that no token straddles it.
  const long = s.length > room;
  const clean = (long ? s.slice(0, room + 64) : s).replace(HEX_RUN, REDACTED);
  return JSON.stringify(long || clean.length > room ? `${clean.slice(0, Math.max(0, room))}…` : clean);
}

const UNREADABLE = Symbol("unreadable");

/**
 * A container's entries, one at a time, so a preview stops at its bound: a huge value costs
 * no more than a small one. Keys for objects and maps (a map's other keys as previews).
 */
function* entriesOf(o: object): Generator<[string | undefined, unknown]> {
  if (Array.isArray(o)) for (let i = 0; i < o.length; i++) yield [undefined, o[i]];
  else if (o instanceof Map) for (const [k, x] of o) yield [typeof k === "string" ? k : preview(k, 64), x];
  else if (o instanceof Set) for (const x of o) yield [undefined, x];
  else for (const k in o) if (Object.hasOwn(o, k)) yield [k, readKey(o, k)];
}

/** `o[key]`, or UNREADABLE when its getter throws. */
function readKey(o: object, key: string): unknown {
  try {
    return (o as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

/**
 * A JSON-like preview of `value` of at most about `max` characters, for a person to read:
 * cut with `…` where it runs over; values under secret-looking keys (`token`, `password`,
 * `authorization` …) and any run of 32+ hex digits (window tokens, asset keys) shown as
 * `[redacted]`; bytes as `<n bytes>`, `bigint` as `12n`, cycles as `<cycle>`. Never calls
 * `toJSON`; never throws (a getter that throws shows as `<unreadable>`).
 */
export function preview(value: unknown, max: number = PREVIEW_CHARS): string {
  let out = "";
  let full = false;
  const seen = new Set<object>();
  const write = (s: string): void => {
    if (full) return;
    if (out.length + s.length > max) {
      out += s.slice(0, Math.max(0, max - out.length)) + "…";
      full = true;
    } else out += s;
  };
  const walk = (v: unknown, depth: number): void => {
    if (full) return;
    switch (typeof v) {
      case "string":
        return write(quote(v, max - out.length));
      case "number":
      case "boolean":
        return write(String(v));
      case "bigint":
        return write(`${v}n`);
      case "undefined":
        return write("undefined");
      case "function":
        return write("<function>");
      case "symbol":
        return write("<symbol>");
    }
    if (v === null) return write("null");
    const o = v as object;
    if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer) return write(`<${o.byteLength} bytes>`);
    if (o instanceof Date) return write(Number.isNaN(o.getTime()) ? "<invalid date>" : JSON.stringify(o.toISOString()));
    if (seen.has(o)) return write("<cycle>");
    if (depth >= PREVIEW_DEPTH) return write("…");
    seen.add(o);
    const isList = Array.isArray(o) || o instanceof Set;
    if (o instanceof Map || o instanceof Set) write(`${o instanceof Map ? "Map" : "Set"}(${o.size}) `);
    write(isList ? "[" : "{");
    let first = true;
    for (const [key, item] of entriesOf(o)) {
      if (full) break;
      if (!first) write(",");
      first = false;
      if (key !== undefined) write(`${quote(key, 256)}:`);
      if (key !== undefined && SECRET_KEY.test(key)) write(JSON.stringify(REDACTED));
      else if (item === UNREADABLE) write("<unreadable>");
      else walk(item, depth + 1);
    }
    write(isList ? "]" : "}");
    seen.delete(o);
  };
  try {
    walk(value, 0);
  } catch {
    write("<unreadable>");
  }
  return out;
}

/** A call's error as its preview shows it: kind, message and data, as the page gets them. */
export function previewError(error: FerryError): string {
  return preview(
    error.data === undefined
      ? { kind: error.kind, message: error.message }
      : { kind: error.kind, message: error.message, data: error.data },
  );
}

/** The feed: who watches, what each watcher is sent, and the arguments of calls in flight. */
export class Inspector {
  /** Watching connections → the handler id their rows go to. */
  private readonly watchers = new Map<Connection, number>();
  /** Previews of the arguments of calls that arrived while someone watched. */
  private readonly argsOf = new WeakMap<object, string>();
  private seq = 0;
  /** True while a connection watches: the router makes previews only then. */
  watching = false;

  /**
   * Answers a call from an inspector connection (never throws). `watch` (`{ handler }`)
   * starts its feed and returns the windows connected now; anything else is
   * `permission_denied`, whatever the app's access rules say.
   */
  answer(conn: Connection, msg: InvokeMessage, windows: () => string[]): void {
    if (msg.cmd !== "watch") {
      const message = `the inspector may only watch the traffic; it may not call "${msg.cmd}"`;
      return conn.fail(msg.id, new FerryError("permission_denied", message, { command: msg.cmd, window: conn.label }));
    }
    const handler = (msg.a as { handler?: unknown } | undefined)?.handler;
    if (typeof handler !== "number" || !Number.isSafeInteger(handler) || handler < 0) {
      return conn.fail(msg.id, new FerryError("invalid_args", "watch: handler must be a non-negative integer", { command: "watch" }));
    }
    const fresh = !this.watchers.has(conn);
    this.watchers.set(conn, handler);
    this.watching = true;
    if (fresh) conn.onClose(() => this.unwatch(conn)); // at once if it is already closed
    conn.reply(msg.id, { windows: windows(), previewChars: PREVIEW_CHARS });
  }

  private unwatch(conn: Connection): void {
    this.watchers.delete(conn);
    this.watching = this.watchers.size > 0;
  }

  /** Keeps a preview of a call's arguments as they arrived (call only while `watching`). */
  started(call: object, args: unknown): void {
    if (args !== undefined) this.argsOf.set(call, preview(args));
  }

  /**
   * Sends a call's row (call only while `watching`): `call` is its in-flight state (whose
   * arguments `started` kept), or, for a call refused before it ran, its arguments.
   */
  recordCall(line: IpcLogLine, call: object | undefined, args: unknown, value: unknown): void {
    const values: Pick<InspectorRow, "args" | "result" | "error"> = {};
    const kept = call !== undefined ? this.argsOf.get(call) : args === undefined ? undefined : preview(args);
    if (kept !== undefined) values.args = kept;
    if (value instanceof FerryError) values.error = previewError(value);
    else if (line.outcome === "ok") values.result = preview(value);
    this.send(line, values);
  }

  /** Sends an event's row (call only while `watching`). */
  recordEvent(line: IpcLogLine, payload: unknown): void {
    this.send(line, { payload: preview(payload) });
  }

  private send(line: IpcLogLine, values: Pick<InspectorRow, "args" | "result" | "error" | "payload">): void {
    const row: InspectorRow = { seq: ++this.seq, at: Date.now(), ...line, ...values };
    const json = JSON.stringify(row);
    for (const [conn, handler] of this.watchers) {
      conn.enqueueEvent(`{"t":"e","n":"${INSPECTOR_EVENT}","h":[${handler}],"p":${json}}`, [handler]);
    }
  }
}
