/**
 * Channels: an ordered stream from one handler to the page that created it.
 *
 * The page passes a `Channel` as an argument; it crosses the wire as `"__CHANNEL__:<id>"`
 * (the form Tauri uses) and reaches the handler as a `Channel` it can `send` on.
 */

import { encodeValue, frameMessage } from "../protocol/codec.ts";
import { FerryError } from "../protocol/errors.ts";
import type { Connection } from "./connection.ts";

const CHANNEL_REF = /^__CHANNEL__:(\d{1,15})$/;

/** The backend end of a page's channel: what a handler gets for a page's `Channel` argument. */
export class Channel<T = unknown> {
  /** The channel's id on its connection. */
  readonly id: number;
  readonly #conn: Connection;
  #index = 0;
  #ended = false;

  /** @internal Channels are made by ferry from a page's argument. */
  constructor(conn: Connection, id: number) {
    this.#conn = conn;
    this.id = id;
  }

  /** True once closed by `close()` or because the page's connection is gone. */
  get closed(): boolean {
    return this.#ended || this.#conn.closed;
  }

  /**
   * Sends one message; the page's `onmessage` sees messages in send order.
   * Throws `not_serializable` for values that cannot be sent, `connection_closed` after close.
   */
  send(message: T): void {
    if (this.closed) throw new FerryError("connection_closed", `channel ${this.id} is closed`);
    this.#conn.enqueue(frameMessage(`{"t":"m","c":${this.id},"i":${this.#index++}`, "v", encodeValue(message, "message")));
  }

  /** Ends the stream; the page's channel sees it closed after the last message. */
  close(): void {
    if (this.closed) return;
    this.#ended = true;
    this.#conn.enqueue(`{"t":"m","c":${this.id},"i":${this.#index++},"end":true}`);
  }
}

/** Replaces top-level `"__CHANNEL__:<id>"` arguments with live channels. */
export function bindChannels(conn: Connection, args: Record<string, unknown>): Record<string, unknown> {
  let out = args;
  for (const key of Object.keys(args)) {
    const v = args[key];
    if (typeof v !== "string") continue;
    const m = CHANNEL_REF.exec(v);
    if (!m) continue;
    if (out === args) out = { ...args };
    out[key] = new Channel(conn, Number(m[1]));
  }
  return out;
}
