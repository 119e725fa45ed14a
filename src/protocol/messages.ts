/**
 * The wire envelopes, typed on both sides and checked at the door before dispatch.
 *
 * page → backend:  `i` invoke · `c` cancel · `s` upload chunk or end
 * backend → page:  `r` result · `f` failure · `e` event · `m` channel message · `l` lagged
 *                  · `g` upload credit · `k` stop an upload · `x` protocol error
 *
 * Uploads (a page's `ReadableStream`/`Blob`/`File` argument, docs/flow-control.md): the
 * argument crosses as `"__STREAM__:<id>"`; the backend grants credit in bytes (`g`) and the
 * page sends `s` messages carrying at most that many bytes in all, each a text head with `$b`
 * followed by its bytes as one binary WebSocket message; `s` with `end` closes the stream.
 */

import { FerryError, isWireError, type WireError } from "./errors.ts";

export interface InvokeMessage {
  t: "i";
  /** Call id chosen by the page, unique among its calls in flight. */
  id: number;
  cmd: string;
  a?: unknown;
  /**
   * `"tauri"` from the Tauri bridge: a `FerryError` an app command throws is sent as kind
   * `failed` with its `{ kind, message, data? }` in `data`, so the page receives it as thrown
   * even when its kind is also one of ferry's (docs/errors.md).
   */
  s?: "tauri";
}

export interface CancelMessage {
  t: "c";
  id: number;
}

/** A piece of an upload: bytes in `d` (within the credit granted), or its end. */
export interface StreamMessage {
  t: "s";
  /** Upload id chosen by the page (the `<id>` of its `"__STREAM__:<id>"` argument). */
  s: number;
  /** The next bytes, sent as a binary segment. */
  d?: Uint8Array;
  /** Present on the last message: the page's stream is done. */
  end?: true;
  /** Present instead of `end` when the page's stream failed: its message. */
  err?: string;
}

export type ClientMessage = InvokeMessage | CancelMessage | StreamMessage;

export interface ResultMessage {
  t: "r";
  id: number;
  v?: unknown;
}

export interface FailureMessage {
  t: "f";
  id: number;
  e: WireError;
}

export interface EventMessage {
  t: "e";
  /** Event name. */
  n: string;
  /** The page's handler ids this event is for. */
  h: number[];
  p?: unknown;
}

export interface ChannelMessage {
  t: "m";
  /** Channel id chosen by the page. */
  c: number;
  /** Index of this message within the channel, from 0; the page reorders by it. */
  i: number;
  v?: unknown;
  /** Present on the last message: the channel is closed. */
  end?: true;
}

/** Events the backend dropped for a page over its outgoing bound, per handler (docs/flow-control.md). */
export interface LaggedMessage {
  t: "l";
  /** Handler ids. */
  h: number[];
  /** Events dropped for each, in the order of `h`. */
  n: number[];
}

/** Upload credit: the page may send `n` more bytes of upload `s`. */
export interface GrantMessage {
  t: "g";
  s: number;
  n: number;
}

/** The backend takes no more of upload `s` (its call settled, was cancelled, or hit a limit): stop reading it. */
export interface StopMessage {
  t: "k";
  s: number;
}

export interface ProtocolErrorMessage {
  t: "x";
  e: WireError;
}

export type ServerMessage =
  ResultMessage | FailureMessage | EventMessage | ChannelMessage | LaggedMessage | GrantMessage | StopMessage | ProtocolErrorMessage;

const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Checks one decoded page message; throws a `protocol` error describing what is wrong. */
export function parseClientMessage(raw: unknown): ClientMessage {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new FerryError("protocol", "message is not an object");
  }
  const m = raw as Record<string, unknown>;
  if (m.t === "i") {
    if (!isId(m.id)) throw new FerryError("protocol", "invoke without a numeric id");
    if (typeof m.cmd !== "string" || m.cmd.length === 0 || m.cmd.length > 256) {
      throw new FerryError("protocol", "invoke without a command name", undefined);
    }
    return m as unknown as InvokeMessage;
  }
  if (m.t === "c") {
    if (!isId(m.id)) throw new FerryError("protocol", "cancel without a numeric id");
    return m as unknown as CancelMessage;
  }
  if (m.t === "s") {
    if (!isId(m.s)) throw new FerryError("protocol", "upload message without a numeric stream id");
    if (m.d !== undefined && !(m.d instanceof Uint8Array)) throw new FerryError("protocol", "upload data is not bytes");
    if (m.err !== undefined && typeof m.err !== "string") throw new FerryError("protocol", "upload error is not a string");
    return m as unknown as StreamMessage;
  }
  throw new FerryError("protocol", `unknown message type ${JSON.stringify(m.t)}`);
}

/** Checks one decoded backend message on the page side. */
export function parseServerMessage(raw: unknown): ServerMessage {
  if (typeof raw !== "object" || raw === null) throw new FerryError("protocol", "message is not an object");
  const m = raw as Record<string, unknown>;
  switch (m.t) {
    case "r":
      if (isId(m.id)) return m as unknown as ResultMessage;
      break;
    case "f":
      if (isId(m.id) && isWireError(m.e)) return m as unknown as FailureMessage;
      break;
    case "e":
      if (typeof m.n === "string" && Array.isArray(m.h)) return m as unknown as EventMessage;
      break;
    case "m":
      if (isId(m.c) && isId(m.i)) return m as unknown as ChannelMessage;
      break;
    case "l":
      if (Array.isArray(m.h) && Array.isArray(m.n)) return m as unknown as LaggedMessage;
      break;
    case "g":
    case "k":
      if (isId(m.s)) return m as unknown as GrantMessage | StopMessage;
      break;
    case "x":
      if (isWireError(m.e)) return m as unknown as ProtocolErrorMessage;
      break;
  }
  throw new FerryError("protocol", `unexpected message ${JSON.stringify(m.t)}`);
}
