/**
 * The wire envelopes, typed on both sides and checked at the door before dispatch.
 *
 * page → backend:  `i` invoke · `c` cancel
 * backend → page:  `r` result · `f` failure · `e` event · `m` channel message · `x` protocol error
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

export type ClientMessage = InvokeMessage | CancelMessage;

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

export interface ProtocolErrorMessage {
  t: "x";
  e: WireError;
}

export type ServerMessage = ResultMessage | FailureMessage | EventMessage | ChannelMessage | LaggedMessage | ProtocolErrorMessage;

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
    case "x":
      if (isWireError(m.e)) return m as unknown as ProtocolErrorMessage;
      break;
  }
  throw new FerryError("protocol", `unexpected message ${JSON.stringify(m.t)}`);
}
