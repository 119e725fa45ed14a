/**
 * Channels: an ordered stream from one handler to the page that created it.
 *
 * The page passes a `Channel` as an argument; it crosses the wire as `"__CHANNEL__:<id>"`
 * (the form Tauri uses) and reaches the handler as a `Channel` it can `send` on. Sends are
 * flow-controlled by the window's outgoing bound (docs/flow-control.md).
 */

import { frameMessage } from "../protocol/codec.ts";
import { FerryError } from "../protocol/errors.ts";
import { encodeSendable } from "../protocol/sendable.ts";
import { frameBytes, type Connection, type PendingCall } from "./connection.ts";

const CHANNEL_REF = /^__CHANNEL__:(\d{1,15})$/;

/** A settled promise nobody has to catch: an un-awaited send that fails never crashes the process. */
const quiet = (p: Promise<void>): Promise<void> => {
  p.catch(() => {});
  return p;
};

/** The backend end of a page's channel: what a handler gets for a page's `Channel` argument. */
export class Channel<T = unknown> {
  /** The channel's id on its connection. */
  readonly id: number;
  readonly #conn: Connection;
  #index = 0;
  #ended = false;
  /** The send waiting for room, if any: at most one per channel. */
  #waiting: Promise<void> | undefined;
  #warned = false;

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
   * Sends one message; the page's `onmessage` sees messages in send order. Resolves once the
   * message is queued for the page: at once while the window is under its outgoing bound,
   * later when it is over (`await` it to go at the page's pace).
   *
   * Rejects with `connection_closed` when the channel is closed or the window goes away
   * first, and with `limit_exceeded` (`data.limit: "maxBufferedBytes"`) when an earlier send
   * on this channel is still waiting: sends that are not awaited fail instead of piling up.
   * A rejected send takes no place in the stream. Throws `not_serializable` at once for
   * values that cannot be sent.
   */
  send(message: T): Promise<void> {
    if (this.closed) return quiet(Promise.reject(new FerryError("connection_closed", `channel ${this.id} is closed`)));
    const encoded = encodeSendable(message, "message");
    if (this.#waiting) {
      const max = this.#conn.maxBuffered;
      if (!this.#warned) {
        this.#warned = true;
        this.#conn.warn(
          `channel ${this.id} to window "${this.#conn.label}": a send was refused while an earlier one waited for the page; await channel.send(...)`,
        );
      }
      return quiet(
        Promise.reject(
          new FerryError("limit_exceeded", `channel ${this.id}: the window is over its outgoing bound and a send is already waiting`, {
            limit: "maxBufferedBytes",
            max,
          }),
        ),
      );
    }
    // The index is taken when the message is queued, so a refused send leaves no gap.
    const frame = (index: number) => frameMessage(`{"t":"m","c":${this.id},"i":${index}`, "v", encoded);
    const size = frameBytes(frame(this.#index));
    const sent = this.#conn.offer(size, () => this.#conn.enqueueAdmitted(frame(this.#index++)));
    if (!sent) return Promise.resolve();
    this.#waiting = sent;
    const done = () => {
      if (this.#waiting === sent) this.#waiting = undefined;
    };
    sent.then(done, done);
    return quiet(sent);
  }

  /** Ends the stream after the messages already sent; the page's channel sees it closed. */
  close(): void {
    if (this.closed) return;
    this.#ended = true;
    this.#conn.releaseChannel(this);
    const end = () => this.#conn.enqueue(`{"t":"m","c":${this.id},"i":${this.#index++},"end":true}`);
    if (this.#waiting) this.#waiting.then(end, () => {});
    else end();
  }
}

/**
 * Replaces top-level `"__CHANNEL__:<id>"` arguments with live channels. A channel the page
 * passes again gets the same backend end, so its stream goes on in order; one still bound
 * to a running call is refused (`invalid_args`).
 */
export function bindChannels(
  conn: Connection,
  cmd: string,
  args: Record<string, unknown>,
  callId: number,
  call: PendingCall,
): Record<string, unknown> {
  return bindRefs(args, CHANNEL_REF, (id, key) => {
    const bound = conn.bindChannel(id, callId, call, () => new Channel(conn, id));
    if (bound === "in_use") {
      throw new FerryError("invalid_args", `channel ${id} is already in use by a running call; pass a new Channel`, {
        command: cmd,
        issues: [{ path: `args.${key}`, message: `channel ${id} is already in use by a running call` }],
      });
    }
    return bound;
  });
}

/**
 * True when a top-level argument is a string starting `__`, as every channel and upload
 * reference does (`"__CHANNEL__:<id>"`, `"__STREAM__:<id>"`): only then need the binders
 * run, and make their closures and key lists. Inherited keys only make it answer true.
 */
export function mayHoldRefs(args: Record<string, unknown>): boolean {
  for (const key in args) {
    const v = args[key];
    if (typeof v === "string" && v.charCodeAt(0) === 95 && v.charCodeAt(1) === 95) return true;
  }
  return false;
}

/**
 * `args` with each top-level string argument that `ref` matches (`"__CHANNEL__:<id>"`,
 * `"__STREAM__:<id>"`) replaced by `bind(id, key)`; copied only when one is.
 */
export function bindRefs(args: Record<string, unknown>, ref: RegExp, bind: (id: number, key: string) => unknown): Record<string, unknown> {
  let out = args;
  for (const key of Object.keys(args)) {
    const v = args[key];
    if (typeof v !== "string") continue;
    const m = ref.exec(v);
    if (!m) continue;
    if (out === args) out = { ...args };
    out[key] = bind(Number(m[1]), key);
  }
  return out;
}
