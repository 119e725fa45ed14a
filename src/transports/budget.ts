/**
 * The outgoing-buffer bound of one socket, shared by the transports: bytes handed to the
 * socket and not yet written out. Over the bound, `send` reports not writable; once the
 * socket has written enough to be back under it, the connection hears `drained()`.
 */

import type { Frame } from "../protocol/codec.ts";
import type { TransportConnection } from "../backend/connection.ts";

/** Bytes a frame puts on the wire, near enough for a bound (string length, not UTF-8 bytes). */
export function frameBytes(frame: Frame): number {
  if (typeof frame === "string") return frame.length;
  let n = frame.head.length;
  for (const s of frame.segments) n += s.byteLength;
  return n;
}

/** Counts one socket's bytes in flight against `bound`. */
export class SendBudget {
  #buffered = 0;
  #over = false;
  readonly #bound: number;
  #conn: TransportConnection | undefined;

  constructor(bound: number) {
    this.#bound = bound;
  }

  /** The connection to tell when the socket drains (set once `app.connect` made it). */
  attach(conn: TransportConnection): void {
    this.#conn = conn;
  }

  /** Counts `bytes` handed to the socket; false when that put it over its bound. */
  add(bytes: number): boolean {
    this.#buffered += bytes;
    if (this.#buffered > this.#bound) this.#over = true;
    return !this.#over;
  }

  /** Counts `bytes` written out; tells the connection when it is back under the bound. */
  done(bytes: number): void {
    this.#buffered -= bytes;
    if (this.#over && this.#buffered <= this.#bound) {
      this.#over = false;
      this.#conn?.drained();
    }
  }
}
