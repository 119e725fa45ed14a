/**
 * One page's connection, whatever the transport: its window label, its calls in flight,
 * its listeners and channels, and its outgoing queue.
 *
 * A transport adapter creates it with `app.connect(label, peer)`, feeds it frames with
 * `receive`, and calls `dropped()` when the socket is gone. Everything scoped to the
 * connection ends there: handlers see their AbortSignal fire, listeners are freed.
 */

import { coalesce, FrameReader, frameMessage, encodeValue, TooMuchAnnounced, type EncodedValue, type Frame } from "../protocol/codec.ts";
import { FerryError } from "../protocol/errors.ts";
import { parseClientMessage } from "../protocol/messages.ts";
import { describeThrow, REDACTED_JSON, shapeError, ThrownValue } from "./errors.ts";
import { checkTextShape, SCAN_FROM, type TextShapeLimits } from "./frame-shape.ts";
import type { AppInternals } from "./app.ts";
import type { ListenerTarget } from "./events.ts";

/** What a transport gives the core for one socket: a way to send a frame and to close. */
export interface Peer {
  /**
   * Sends one frame. Returns `false` when the socket's outgoing buffer is now over the
   * app's `maxBufferedBytes`: the connection counts itself not writable until the transport
   * calls `drained()`. Returning nothing means always writable.
   */
  send(frame: Frame): boolean | void;
  /** Closes the socket with a WebSocket close code. */
  close(code: number, reason: string): void;
}

/**
 * What a transport sees of a connection: it feeds frames in, reports the socket's buffer
 * drained or the socket gone, and may close it. Made by `app.connect(label, peer, origin)`.
 */
export interface TransportConnection {
  /** The window label, bound to the secret the transport authenticated. */
  readonly label: string;
  /** The page's origin as the transport saw it at the handshake (absent in-process). */
  readonly origin: string | undefined;
  /** True once closed by either side. */
  readonly closed: boolean;
  /** False from a `send` that returned false until `drained()`. */
  readonly writable: boolean;
  /** Feeds one incoming frame. Never throws: bad input gets a protocol error reply. */
  receive(data: string | Uint8Array): void;
  /** The socket's outgoing buffer is back under its bound. */
  drained(): void;
  /** The socket is gone: aborts the connection's calls and frees everything it held. */
  dropped(): void;
  /** Closes from the backend side (sends what is queued first). */
  close(code?: number, reason?: string): void;
}

/** What plugin commands see of the calling connection (`ctx.connection`). */
export interface PluginConnection {
  readonly label: string;
  readonly origin: string | undefined;
  /** False while the window's outgoing buffer is over its bound (see `whenWritable`). */
  readonly writable: boolean;
  /** Resolves when the window can take more (at once if it can); rejects with `connection_closed` when it goes away. */
  whenWritable(): Promise<void>;
  /** Adds a page handler for `event` under the page-chosen id `handler`; `target` is what it hears (Tauri's rules). */
  listen(event: string, handler: number, target?: ListenerTarget): void;
  /** Removes a page handler; unknown ids are ignored. */
  unlisten(handler: number): void;
}

/** WebSocket close codes ferry uses. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  policyViolation: 1008,
  tooBig: 1009,
} as const;

/**
 * One call in flight. Its AbortController is made only when the handler reads its signal:
 * creating one costs more than the rest of a small call's dispatch, and most handlers
 * never look at it.
 */
export class PendingCall {
  private controller: AbortController | undefined;
  private reason: unknown;
  private isAborted = false;

  get aborted(): boolean {
    return this.isAborted;
  }

  /** The signal the handler sees; fires when the page cancels or the connection ends. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.isAborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.isAborted) return;
    this.isAborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/** Did-you-mean suggestions one connection gets (each costs an edit distance per command). */
const MAX_SUGGESTIONS = 32;

/** Messages one coalesced text frame may hold. */
const MAX_BATCH = 4096;

/** Protocol errors tolerated before the connection is closed as broken. */
const MAX_PROTOCOL_ERRORS = 32;

/** One page connection: what transports feed and the router answers through. Internal. */
export class Connection implements TransportConnection, PluginConnection {
  readonly label: string;
  /** The page's origin as the transport saw it at the handshake (absent for in-process transports). */
  readonly origin: string | undefined;
  /** Calls in flight: call id → its state, whose signal the handler sees. */
  readonly pending = new Map<number, PendingCall>();
  /** This connection's page handlers: handler id → event name. */
  readonly listeners = new Map<number, string>();
  private readonly app: AppInternals;
  private readonly peer: Peer;
  private queue: Frame[] = [];
  private readonly reader: FrameReader;
  private readonly shape: TextShapeLimits;
  private flushScheduled = false;
  private protocolErrors = 0;
  private suggestionsLeft = MAX_SUGGESTIONS;
  private isClosed = false;
  private isWritable = true;
  private waiters: { resolve: () => void; reject: (err: FerryError) => void }[] = [];

  constructor(app: AppInternals, label: string, peer: Peer, origin?: string) {
    this.app = app;
    this.reader = new FrameReader({ maxSegments: app.limits.segmentsPerMessage, maxBytes: app.maxFrameBytes });
    this.shape = { maxDepth: app.limits.nestingDepth, maxContainers: app.limits.containersPerFrame, maxBatch: MAX_BATCH };
    this.label = label;
    this.origin = origin;
    this.peer = peer;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get writable(): boolean {
    return this.isWritable && !this.isClosed;
  }

  whenWritable(): Promise<void> {
    if (this.isClosed) return Promise.reject(this.closedError());
    if (this.isWritable) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  drained(): void {
    if (this.isWritable || this.isClosed) return;
    this.isWritable = true;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private closedError(): FerryError {
    return new FerryError("connection_closed", `window ${JSON.stringify(this.label)} disconnected`);
  }

  /** Feeds one incoming frame. Never throws: bad input gets a protocol error reply. */
  receive(data: string | Uint8Array): void {
    if (this.isClosed) return;
    let messages: unknown[];
    try {
      if (typeof data === "string" && data.length >= SCAN_FROM) checkTextShape(data, this.shape);
      messages = this.reader.read(data);
    } catch (err) {
      if (err instanceof TooMuchAnnounced) return this.close(CloseCode.tooBig, err.message);
      this.protocolError(err);
      return;
    }
    if (messages.length > MAX_BATCH) {
      this.protocolError(new FerryError("protocol", `a frame may batch at most ${MAX_BATCH} messages`));
      return;
    }
    for (const raw of messages) {
      if (this.isClosed) return; // a protocol error may have closed it mid-batch
      let msg;
      try {
        msg = parseClientMessage(raw);
      } catch (err) {
        this.protocolError(err, raw);
        continue;
      }
      if (msg.t === "i") {
        try {
          this.app.dispatch(this, msg);
        } catch (err) {
          // The router catches what it knows of; this keeps one bad call from taking the process down.
          this.fail(msg.id, new FerryError("internal", "internal error", undefined, { cause: err }));
        }
      } else this.pending.get(msg.id)?.abort(new FerryError("cancelled", "the page cancelled the call"));
    }
  }

  /** Queues a frame; frames queued in one turn of the event loop leave together. */
  enqueue(frame: Frame): void {
    if (this.isClosed) return;
    this.queue.push(frame);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const frames = coalesce(this.queue);
    this.queue = [];
    if (this.isClosed) return;
    for (const frame of frames) if (this.peer.send(frame) === false) this.isWritable = false;
  };

  /** True while this connection may still get a did-you-mean; counts one down. */
  spendSuggestion(): boolean {
    return this.suggestionsLeft-- > 0;
  }

  /** Adds a page handler for `event` under the page-chosen id `handler`; `target` is what it hears (Tauri's rules). */
  listen(event: string, handler: number, target?: ListenerTarget): void {
    if (this.isClosed) return;
    if (this.listeners.has(handler)) {
      throw new FerryError("invalid_args", `handler id ${handler} is already listening`);
    }
    const max = this.app.limits.listeners;
    if (this.listeners.size >= max) {
      throw new FerryError("limit_exceeded", `window "${this.label}" has ${max} listeners, the most it may; unlisten first`, {
        limit: "listeners",
        max,
      });
    }
    this.app.bus.addPageListener(this, event, handler, target);
    this.listeners.set(handler, event);
  }

  /** Removes a page handler; unknown ids are ignored, as unlisten twice is harmless. */
  unlisten(handler: number): void {
    const event = this.listeners.get(handler);
    if (event === undefined) return;
    this.listeners.delete(handler);
    this.app.bus.removePageListener(this, event, handler);
  }

  /** Sends a call's result. Throws `not_serializable` if the value cannot be sent. */
  reply(id: number, value: unknown): void {
    this.enqueue(frameMessage(`{"t":"r","id":${id}`, "v", encodeValue(value, "result")));
  }

  /**
   * Sends a call's failure. Never throws: an app error whose data cannot be sent keeps its
   * kind with a note; a thrown value that cannot be sent, or anything else that cannot be
   * shaped, goes as a redacted `internal` and is logged.
   */
  fail(id: number, err: FerryError): void {
    let json: string;
    let bytes: EncodedValue["bytes"] = [];
    try {
      const shape = shapeError(err, this.app.dev);
      try {
        ({ json, bytes } = encodeValue(shape, "error"));
      } catch (bad) {
        if (err instanceof ThrownValue) throw bad;
        json = JSON.stringify({ kind: shape.kind, message: `${shape.message} (its data was dropped: ${describeThrow(bad)})` });
        bytes = [];
      }
    } catch (bad) {
      this.app.log({ level: "error", message: `call ${id} failed with a value that cannot be sent: ${describeThrow(bad)}`, error: err });
      json = REDACTED_JSON;
      bytes = [];
    }
    this.enqueue(frameMessage(`{"t":"f","id":${id}`, "e", { json, bytes }));
  }

  /** Answers a message that breaks the protocol; too many close the connection (1002). */
  protocolError(err: unknown, raw?: unknown): void {
    const e = err instanceof FerryError ? err : new FerryError("protocol", "malformed message");
    const id = (raw as { id?: unknown } | undefined)?.id;
    if (typeof id === "number" && Number.isSafeInteger(id) && id >= 0) this.fail(id, e);
    else this.enqueue(`{"t":"x","e":${JSON.stringify(e.toJSON())}}`);
    if (++this.protocolErrors > MAX_PROTOCOL_ERRORS) this.close(CloseCode.protocolError, "too many protocol errors");
  }

  /** Closes from the backend side (sends what is queued first). */
  close(code: number = CloseCode.normal, reason = ""): void {
    if (this.isClosed) return;
    this.flush();
    this.peer.close(code, reason);
    this.dropped();
  }

  /** The transport reports the connection gone: abort its calls and free its listeners. */
  dropped(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.queue = [];
    const reason = new FerryError("cancelled", `window ${JSON.stringify(this.label)} disconnected`);
    for (const call of this.pending.values()) call.abort(reason);
    this.pending.clear();
    this.app.bus.removeConnection(this, new Set(this.listeners.values()));
    this.listeners.clear();
    const closed = this.closedError();
    for (const w of this.waiters.splice(0)) w.reject(closed);
    this.app.forget(this);
  }
}
