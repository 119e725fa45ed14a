/**
 * One page's connection, whatever the transport: its window label, its calls in flight,
 * its listeners and channels, and its outgoing queue.
 *
 * A transport adapter creates it with `app.connect(label, peer)`, feeds it frames with
 * `receive`, and calls `dropped()` when the socket is gone. Everything scoped to the
 * connection ends there: handlers see their AbortSignal fire, listeners are freed.
 */

import { announceLimits, FrameReader, frameMessage, encodeValue, type EncodedValue, type Frame } from "../protocol/codec.ts";
import { encodeSendable } from "../protocol/sendable.ts";
import { FerryError } from "../protocol/errors.ts";
import { parseClientMessage } from "../protocol/messages.ts";
import { describeThrow, REDACTED_JSON, shapeError, ThrownValue } from "./errors.ts";
import { checkTextShape, SCAN_FROM, type TextShapeLimits } from "./frame-shape.ts";
import type { AppInternals } from "./app.ts";
import type { ListenerTarget } from "./events.ts";
import { ByteStream } from "./upload.ts";
import { EventQueue, type EventText } from "./event-queue.ts";

/** What a transport gives the core for one socket: a way to send a frame and to close. */
export interface Peer {
  /**
   * Hands one frame to the socket. Call `written` once its bytes have left the process
   * (a peer with no buffer of its own calls it at once; a failed write never calls it, the
   * socket's close follows). Until then the frame counts against `maxBufferedBytes`.
   */
  send(frame: Frame, written: () => void): void;
  /** Closes the socket with a WebSocket close code. */
  close(code: number, reason: string): void;
  /**
   * Stops reading the page's frames (optional): called while a result waits for room in the
   * outgoing bound, so a page that does not read cannot start more calls. `resume` undoes it.
   */
  pause?(): void;
  /** Reads the page's frames again (see `pause`). */
  resume?(): void;
}

/**
 * What a transport sees of a connection: it feeds frames in, reports the socket gone, and
 * may close it. Made by `app.connect(label, peer, origin)`.
 */
export interface TransportConnection {
  /** The window label, bound to the secret the transport authenticated. */
  readonly label: string;
  /** The page's origin as the transport saw it at the handshake (absent in-process). */
  readonly origin: string | undefined;
  /** True once closed by either side. */
  readonly closed: boolean;
  /** False while the window's outgoing buffer is full (see `PluginConnection.whenWritable`). */
  readonly writable: boolean;
  /** Bytes this connection holds for its page: queued, and handed to the socket but not yet written. */
  readonly buffered: number;
  /** Feeds one incoming frame. Never throws: bad input gets a protocol error reply. */
  receive(data: string | Uint8Array): void;
  /** The socket is gone: aborts the connection's calls and frees everything it held. */
  dropped(): void;
  /** Closes from the backend side (sends what is queued first). */
  close(code?: number, reason?: string): void;
}

/** What plugin commands see of the calling connection (`ctx.connection`). */
export interface PluginConnection {
  readonly label: string;
  readonly origin: string | undefined;
  /**
   * False once the window's outgoing buffer hit `maxBufferedBytes` (an event was dropped or
   * a channel send had to wait), until it has drained to half of it.
   */
  readonly writable: boolean;
  /** Bytes held for this window now: queued, and handed to its socket but not yet written (at most about `maxBufferedBytes`). */
  readonly buffered: number;
  /** Resolves when the window is writable (at once if it is); rejects with `connection_closed` when it goes away. */
  whenWritable(): Promise<void>;
  /** Adds a page handler for `event` under the page-chosen id `handler`; `target` is what it hears (Tauri's rules). */
  listen(event: string, handler: number, target?: ListenerTarget): void;
  /** Removes a page handler; unknown ids are ignored. */
  unlisten(handler: number): void;
  /**
   * Runs `fn` once when the connection goes away (the page closed, reloaded or was revoked),
   * for what a plugin holds for it (open files, watchers); at once if it is already gone.
   */
  onClose(fn: () => void): void;
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

/**
 * A connection's calls in flight by id: a Map, with one call kept beside it in a slot. One
 * call at a time (sequential calls, the latency case) then never touches the Map, whose table
 * V8 shrinks on every delete to empty and regrows on the next set: ~350 bytes a call.
 */
export class CallTable {
  private oneId = -1;
  private one: PendingCall | undefined;
  private readonly more = new Map<number, PendingCall>();

  get size(): number {
    return this.more.size + (this.one === undefined ? 0 : 1);
  }

  get(id: number): PendingCall | undefined {
    return this.one !== undefined && id === this.oneId ? this.one : this.more.get(id);
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  set(id: number, call: PendingCall): void {
    if (this.one !== undefined && id === this.oneId) this.one = call;
    else if (this.one === undefined && !this.more.has(id)) {
      this.oneId = id;
      this.one = call;
    } else this.more.set(id, call);
  }

  delete(id: number): boolean {
    if (this.one === undefined || id !== this.oneId) return this.more.delete(id);
    this.one = undefined;
    this.oneId = -1;
    return true;
  }

  /** The calls, in no particular order (a copy: safe to change the table meanwhile). */
  values(): PendingCall[] {
    const all = [...this.more.values()];
    if (this.one !== undefined) all.push(this.one);
    return all;
  }

  clear(): void {
    this.more.clear();
    this.one = undefined;
    this.oneId = -1;
  }
}

/** Where `receive` queues its flush (a promise job: no per-call AsyncResource, as `queueMicrotask` makes). */
const settled = Promise.resolve<undefined>(undefined);

/** Did-you-mean suggestions one connection gets (each costs an edit distance per command). */
const MAX_SUGGESTIONS = 32;

/** Messages one coalesced text frame may hold. */
const MAX_BATCH = 4096;

/** Sent entries a drained outgoing queue keeps before it starts a new array. */
const RESET_AFTER = 64;

/** Protocol errors tolerated before the connection is closed as broken. */
const MAX_PROTOCOL_ERRORS = 32;

/** Bytes a frame puts on the wire, near enough for a bound (string length, not UTF-8 bytes). */
export function frameBytes(frame: Frame): number {
  if (typeof frame === "string") return frame.length;
  let n = frame.head.length;
  for (const s of frame.segments) n += s.byteLength;
  return n;
}

/**
 * One frame waiting for the socket; `ids` marks an event with byte segments (the page
 * handlers it is for). `events` marks a run of text events held in the `EventQueue`: how
 * many of them are still queued at this place in the order.
 */
interface Outgoing {
  frame: Frame | undefined;
  bytes: number;
  ids?: readonly number[];
  events?: number;
}

/** A channel send waiting for room (see `Connection.offer`). */
interface RoomWaiter {
  bytes: number;
  admit: () => void;
  reject: (err: FerryError) => void;
}

/** One page connection: what transports feed and the router answers through. Internal. */
export class Connection implements TransportConnection, PluginConnection {
  readonly label: string;
  /** The page's origin as the transport saw it at the handshake (absent for in-process transports). */
  readonly origin: string | undefined;
  /** Calls in flight: call id → its state, whose signal the handler sees. */
  readonly pending = new CallTable();
  /** This connection's page handlers: handler id → event name. */
  readonly listeners = new Map<number, string>();
  /** Page channels bound by calls: channel id → its backend end and the call that bound it last. */
  private readonly channels = new Map<number, { channel: object; callId: number; call: PendingCall }>();
  /** Open uploads: stream id → its backend end and the call it was passed to. */
  private readonly uploads = new Map<number, { stream: ByteStream; call: PendingCall }>();
  private readonly app: AppInternals;
  private readonly peer: Peer;
  /** Frames not yet handed to the socket, oldest first, from `head` on. */
  private backlog: Outgoing[] = [];
  private head = 0;
  /** Text events' bytes, oldest first, each at the place of its run in `backlog`. */
  private readonly queue: EventQueue;
  /** No entry of `backlog` before this one (or `head`) holds an event: where dropping the oldest looks first. */
  private eventCursor = 0;
  private backlogBytes = 0;
  /** Entries of `backlog` past `head` whose event was dropped. */
  private droppedInBacklog = 0;
  /** Bytes handed to the socket and not yet written out. */
  private inSocket = 0;
  /**
   * The sizes of the frames in the socket, oldest first, in `sent` from `sentHead` to
   * `sentEnd`: sockets write in order, so each `written` call is for the oldest. One `written`
   * function serves every frame, instead of a closure per frame; the array is reused, not
   * emptied (emptying it frees its backing store, which the next frame allocates again).
   */
  private sent: number[] = [];
  private sentHead = 0;
  private sentEnd = 0;
  /** Events dropped per page handler id, not yet reported to the page. */
  private lagged = new Map<number, number>();
  private full = false;
  private readonly bound: number;
  private readonly reader: FrameReader;
  private readonly shape: TextShapeLimits;
  private flushScheduled = false;
  /** True while `receive` reads a frame: what its calls queue is flushed in a promise job. */
  private receiving = false;
  private protocolErrors = 0;
  private suggestionsLeft = MAX_SUGGESTIONS;
  private isClosed = false;
  private waiters: { resolve: () => void; reject: (err: FerryError) => void }[] = [];
  private roomWaiters: RoomWaiter[] = [];
  /** Results waiting for room (see `reply`): while there are any, the page's frames are not read. */
  private resultsWaiting = 0;

  /** What plugins hold for this connection, freed when it goes (`onClose`). */
  private readonly closeHooks: (() => void)[] = [];

  constructor(app: AppInternals, label: string, peer: Peer, origin?: string) {
    this.app = app;
    this.reader = new FrameReader(announceLimits(app.limits.segmentsPerMessage, app.maxFrameBytes));
    this.shape = { maxDepth: app.limits.nestingDepth, maxContainers: app.limits.containersPerFrame, maxBatch: MAX_BATCH };
    this.bound = app.maxBufferedBytes;
    this.queue = new EventQueue(this.bound);
    this.label = label;
    this.origin = origin;
    this.peer = peer;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get writable(): boolean {
    return !this.full && !this.isClosed;
  }

  get buffered(): number {
    return this.inSocket + this.backlogBytes;
  }

  whenWritable(): Promise<void> {
    if (this.isClosed) return Promise.reject(this.closedError());
    if (!this.full) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private closedError(): FerryError {
    return new FerryError("connection_closed", `window ${JSON.stringify(this.label)} disconnected`);
  }

  /** True when `bytes` more stay within the bound (a frame alone always fits: it must be sendable). */
  private fits(bytes: number): boolean {
    const held = this.inSocket + this.backlogBytes;
    return held === 0 || held + bytes <= this.bound;
  }

  /**
   * Feeds one incoming frame. Never throws: bad input gets a protocol error reply. What its
   * calls answer at once (synchronous handlers) leaves in a promise job, not a tick later:
   * those replies are on the round trip's critical path, and a job is what the event loop
   * runs first once the socket's callback returns. So the replies to every frame of one read
   * of the socket still leave together, as one frame.
   */
  receive(data: string | Uint8Array): void {
    if (this.receiving) return this.read(data);
    this.receiving = true;
    try {
      this.read(data);
    } finally {
      this.receiving = false;
    }
  }

  private read(data: string | Uint8Array): void {
    if (this.isClosed) return;
    let messages: unknown[];
    try {
      if (typeof data === "string" && data.length >= SCAN_FROM) checkTextShape(data, this.shape);
      messages = this.reader.read(data);
    } catch (err) {
      if (err instanceof FerryError && err.kind === "payload_too_large") return this.close(CloseCode.tooBig, err.message);
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
      } else if (msg.t === "s") {
        // Unknown ids are uploads the backend stopped while the page was still sending: dropped.
        this.uploads.get(msg.s)?.stream.push(msg);
      } else this.pending.get(msg.id)?.abort(new FerryError("cancelled", "the page cancelled the call"));
    }
  }

  /**
   * Queues a reply, failure or notice: always taken (their number is bounded by the calls in
   * flight); frames queued in one tick (a callback and the promise jobs it starts) leave together. Returns the frame's size.
   */
  enqueue(frame: Frame): number {
    const bytes = frameBytes(frame);
    if (!this.isClosed) this.push({ frame, bytes });
    return bytes;
  }

  /**
   * Queues an event for the page handlers `ids`. Over the bound the oldest queued events are
   * dropped to make room (or this one, when no older one is left to drop); the page learns how
   * many each handler lost (`lagged`) before its next event. Never waits, never grows.
   */
  enqueueEvent(event: EventText | Frame, ids: readonly number[]): void {
    if (this.isClosed) return;
    const text = typeof event === "object" && "json" in event ? event : undefined;
    const bytes = text ? this.queue.sizeOf(text, ids) : frameBytes(event as Frame);
    while (!this.fits(bytes)) {
      this.full = true;
      if (!this.dropOldestEvent()) return this.countLag(ids);
    }
    if (!text) return this.push({ frame: event as Frame, bytes, ids });
    // A text event goes in the queue's buffer, counted by the run it extends or starts.
    this.queue.push(text, ids, bytes);
    this.backlogBytes += bytes;
    const last = this.backlog.length - 1;
    const run = last >= this.head ? this.backlog[last]! : undefined;
    if (run?.events === undefined) this.push({ frame: undefined, bytes: 0, events: 1 });
    else {
      run.events++;
      if (this.eventCursor > last) this.eventCursor = last;
    }
  }

  /**
   * Queues a channel message if it fits the bound (runs `admit`, answers undefined);
   * otherwise `admit` runs once it does, in the order sends waited, and the promise resolves
   * then, or rejects with `connection_closed` if the window goes away first.
   */
  offer(bytes: number, admit: () => void): Promise<void> | undefined {
    if (this.isClosed) return Promise.reject(this.closedError());
    // Queued events give way: they are the droppable part of the bound.
    while (this.roomWaiters.length === 0 && !this.fits(bytes) && this.dropOldestEvent());
    if (this.roomWaiters.length === 0 && this.fits(bytes)) {
      admit();
      return undefined;
    }
    this.full = true;
    return new Promise((resolve, reject) =>
      this.roomWaiters.push({
        bytes,
        admit: () => {
          admit();
          resolve();
        },
        reject,
      }),
    );
  }

  /** Queues a frame whose room a channel send already has (`offer`'s admit). */
  enqueueAdmitted(frame: Frame): void {
    if (!this.isClosed) this.push({ frame, bytes: frameBytes(frame) });
  }

  private push(out: Outgoing): void {
    this.backlog.push(out);
    this.backlogBytes += out.bytes;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // While a frame is read: in a promise job, which runs once the socket's callback (every
      // frame of that read) is done, before any tick (see `receive`). Otherwise after the
      // current callback and the promise jobs it starts (async handlers settling, awaited
      // channel sends), before the event loop reads more: what they queued leaves together,
      // without setImmediate's per-turn cost (docs/profile.md, round 3).
      if (this.receiving) void settled.then(this.flush);
      else process.nextTick(this.flush);
    }
  }

  /** Drops the oldest queued event, if any: its handlers' lag counts go up. */
  private dropOldestEvent(): boolean {
    if (this.eventCursor < this.head) this.eventCursor = this.head;
    for (; this.eventCursor < this.backlog.length; this.eventCursor++) {
      const out = this.backlog[this.eventCursor]!;
      if (out.events) {
        out.events--;
        this.backlogBytes -= this.queue.dropOldest(this.lagOne);
        return true;
      }
      if (out.ids === undefined || out.frame === undefined) continue; // not an event, or already gone
      out.frame = undefined;
      this.backlogBytes -= out.bytes;
      this.countLag(out.ids);
      // Dropped entries stay in `backlog` until it moves on; a stalled page must not let them pile up.
      if (++this.droppedInBacklog > 1024 && this.droppedInBacklog * 2 > this.backlog.length - this.head) {
        this.backlog = this.backlog.slice(this.head).filter((o) => o.frame !== undefined || o.events);
        this.head = this.eventCursor = 0;
        this.droppedInBacklog = 0;
      }
      return true;
    }
    return false;
  }

  private readonly lagOne = (id: number): void => {
    this.lagged.set(id, (this.lagged.get(id) ?? 0) + 1);
  };

  private countLag(ids: readonly number[]): void {
    for (const id of ids) this.lagOne(id);
  }

  /**
   * Hands queued frames to the socket while it holds less than half the bound (the rest
   * stays queued, where the bound can still drop old events), coalescing runs of text.
   */
  private readonly flush = (all = false): void => {
    this.flushScheduled = false;
    if (this.isClosed) return;
    // Runs of text messages go as one array frame, byte frames as they are, in order.
    let bytes = 0;
    const share = this.bound / 2;
    // The lag notice goes first, once the socket has room, like any frame: one per drain, not one per turn.
    if (this.lagged.size > 0 && (all || this.inSocket === 0 || this.inSocket + 64 * this.lagged.size <= share)) {
      const ids = [...this.lagged.keys()];
      this.addText(`{"t":"l","h":[${ids.join(",")}],"n":[${ids.map((id) => this.lagged.get(id)).join(",")}]}`, 1);
      this.lagged.clear();
    }
    while (this.head < this.backlog.length) {
      const out = this.backlog[this.head]!;
      if (out.events) {
        // As many of the run's events as the socket's share takes, as one piece of text.
        const room = all ? Infinity : share - this.inSocket - bytes;
        const n = this.queue.measure(out.events, room, this.inSocket + bytes === 0);
        if (n > 0) {
          this.addText(this.queue.take(n, this.queue.measured), n);
          bytes += this.queue.measured;
          out.events -= n;
        }
        if (out.events > 0) break;
      } else if (out.frame !== undefined) {
        if (!all && this.inSocket + bytes > 0 && this.inSocket + bytes + out.bytes > share) break;
        if (typeof out.frame === "string") this.addText(out.frame, 1);
        else {
          this.addFrame(this.endText());
          this.addFrame(out.frame);
        }
        bytes += out.bytes;
        out.frame = undefined;
      }
      this.head++;
    }
    this.addFrame(this.endText());
    this.backlogBytes -= bytes;
    if (this.head === this.backlog.length) {
      // All sent (and with it every event): nothing is dropped past `head`. The arrays are
      // kept for the next turns, up to RESET_AFTER entries, rather than made anew per turn,
      // which cost an array and its backing store per call.
      this.droppedInBacklog = 0;
      if (this.head >= RESET_AFTER) {
        this.backlog = [];
        this.head = this.eventCursor = 0;
      }
    } else if (this.head > 1024 && this.head * 2 > this.backlog.length) {
      this.backlog = this.backlog.slice(this.head);
      this.eventCursor = Math.max(0, this.eventCursor - this.head);
      this.head = 0;
    }
    // Taken out before sending: a socket that reports a write at once flushes again from `send`.
    const { first, more } = this.outFrames;
    this.outFrames.first = this.outFrames.more = undefined;
    if (first === undefined) return;
    this.send(first);
    if (more) for (const frame of more) this.send(frame);
  };

  /** The frames a flush sends: the first kept apart, so a lone reply (the common case) makes no array. */
  private readonly outFrames: { first?: Frame | undefined; more?: Frame[] | undefined } = {};

  private addFrame(frame: Frame | undefined): void {
    if (frame === undefined) return;
    if (this.outFrames.first === undefined) this.outFrames.first = frame;
    else (this.outFrames.more ??= []).push(frame);
  }

  /**
   * The run of text messages `flush` is building: its first piece, the rest (only once there
   * are two: a lone reply, the common case, makes no array), and how many messages they hold.
   */
  private textFirst: string | undefined;
  private textMore: string[] | undefined;
  private textMessages = 0;

  /** Adds `text`, holding `messages` messages (comma-joined), to the text run. */
  private addText(text: string, messages: number): void {
    if (this.textFirst === undefined) this.textFirst = text;
    else (this.textMore ??= []).push(text);
    this.textMessages += messages;
  }

  /** Ends the text run: its one frame (an array when it holds more than one message), if any. */
  private endText(): string | undefined {
    const first = this.textFirst;
    if (first === undefined) return undefined;
    const body = this.textMore === undefined ? first : `${first},${this.textMore.join(",")}`;
    const frame = this.textMessages > 1 ? `[${body}]` : body;
    this.textFirst = this.textMore = undefined;
    this.textMessages = 0;
    return frame;
  }

  /** Hands one frame to the socket, counted in `inSocket` until it is written. */
  private send(frame: Frame): void {
    const n = frameBytes(frame);
    this.inSocket += n;
    this.sent[this.sentEnd++] = n;
    this.peer.send(frame, this.written);
  }

  /** The socket wrote its oldest frame out: hand it more, admit waiting sends, wake writers. */
  private readonly written = (): void => {
    if (this.sentHead === this.sentEnd) return; // nothing counted is in the socket (a peer calling twice)
    this.inSocket -= this.sent[this.sentHead++]!;
    if (this.sentHead === this.sentEnd) {
      this.sentHead = this.sentEnd = 0;
      if (this.sent.length > RESET_AFTER) this.sent = []; // after a burst, not kept at its size
    }
    if (this.isClosed) return;
    if (this.head < this.backlog.length || this.lagged.size > 0) this.flush();
    if (!this.full || this.inSocket + this.backlogBytes > this.bound / 2) return;
    for (let w = this.roomWaiters[0]; w && (this.fits(w.bytes) || this.dropOldestEvent()); w = this.roomWaiters[0]) {
      if (this.fits(w.bytes)) this.roomWaiters.shift()!.admit();
    }
    if (this.roomWaiters.length > 0) return;
    this.full = false;
    for (const w of this.waiters.splice(0)) w.resolve();
  };

  /** The app's `maxBufferedBytes`. */
  get maxBuffered(): number {
    return this.bound;
  }

  /** Logs a warning about this connection. */
  warn(message: string): void {
    this.app.log({ level: "warn", message });
  }

  /**
   * The backend end of page channel `id` for call `callId`: the one this connection already
   * has (its stream goes on), or a new one from `make`; `"in_use"` while another running call
   * holds it. Over `limits.channels` the channels of settled calls are let go, oldest first;
   * when every one is held by a running call, throws `limit_exceeded`.
   */
  bindChannel<C extends object>(id: number, callId: number, call: PendingCall, make: () => C): C | "in_use" {
    const held = this.channels.get(id);
    if (held && held.call !== call && this.pending.get(held.callId) === held.call) return "in_use";
    if (held) {
      held.callId = callId;
      held.call = call;
      return held.channel as C;
    }
    const max = this.app.limits.channels;
    if (this.channels.size >= max) {
      for (const [key, entry] of this.channels) {
        if (this.pending.get(entry.callId) === entry.call) continue;
        this.channels.delete(key);
        break;
      }
      if (this.channels.size >= max) {
        throw new FerryError("limit_exceeded", `window "${this.label}" has ${max} channels in running calls, the most it may`, {
          limit: "channels",
          max,
        });
      }
    }
    const channel = make();
    this.channels.set(id, { channel, callId, call });
    return channel;
  }

  /** Forgets a closed channel: its id may name a new one. */
  releaseChannel(channel: { id: number }): void {
    if (this.channels.get(channel.id)?.channel === channel) this.channels.delete(channel.id);
  }

  /**
   * The backend end of the page's upload `id`, passed to `call` as argument `key`: refused
   * when the id is open already (`invalid_args`) or the connection has `limits.uploads` open
   * (`limit_exceeded`). Cancelling the call ends it with `cancelled`.
   */
  bindUpload(id: number, call: PendingCall, cmd: string, key: string): ByteStream {
    if (this.uploads.has(id)) {
      throw new FerryError("invalid_args", `upload ${id} is already open; pass a new stream`, {
        command: cmd,
        issues: [{ path: `args.${key}`, message: `upload ${id} is already open` }],
      });
    }
    const max = this.app.limits.uploads;
    if (this.uploads.size >= max) {
      throw new FerryError("limit_exceeded", `window "${this.label}" has ${max} uploads open, the most it may`, { limit: "uploads", max });
    }
    const stream = new ByteStream(this, id, Math.min(this.bound, this.app.maxFrameBytes), this.app.limits.uploadBytes);
    this.uploads.set(id, { stream, call });
    call.signal.addEventListener("abort", () => stream.fail(new FerryError("cancelled", `the call reading upload ${id} was cancelled`)), {
      once: true,
    });
    return stream;
  }

  /** Forgets an upload that ended: its id may name a new one. */
  releaseUpload(stream: ByteStream): void {
    if (this.uploads.get(stream.id)?.stream === stream) this.uploads.delete(stream.id);
  }

  /** The call settled: its uploads still open are stopped (the handler cannot read them any more). */
  endUploads(call: PendingCall): void {
    if (this.uploads.size === 0) return; // every call settles through here: no copy when nothing is open
    for (const { stream, call: c } of [...this.uploads.values()]) {
      if (c === call) stream.fail(new FerryError("cancelled", `the call reading upload ${stream.id} has settled`));
    }
  }

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

  /**
   * Sends a call's result: queued at once while it fits the outgoing bound, else once the
   * page has read enough, in order with waiting channel sends; meanwhile the page's frames
   * are not read (`Peer.pause`). Returns the frame's size. Throws `not_serializable` if the
   * value cannot be sent (`encodeSendable`: the codec's refusals and the stricter check).
   */
  reply(id: number, value: unknown): number {
    // A string, boolean, null or finite number has nothing to check or lift (encodeValue's
    // own first case): its JSON goes straight into the frame.
    const frame =
      typeof value === "string" || typeof value === "boolean" || value === null || (typeof value === "number" && Number.isFinite(value))
        ? `{"t":"r","id":${id},"v":${JSON.stringify(value)}}`
        : frameMessage(`{"t":"r","id":${id}`, "v", encodeSendable(value, "result"));
    const bytes = frameBytes(frame);
    if (this.isClosed) return bytes;
    if (this.roomWaiters.length === 0 && this.fits(bytes)) {
      this.push({ frame, bytes });
      return bytes;
    }
    const waiting = this.offer(bytes, () => this.enqueueAdmitted(frame));
    if (!waiting) return bytes;
    if (this.resultsWaiting++ === 0) this.peer.pause?.();
    const done = () => {
      if (--this.resultsWaiting === 0 && !this.isClosed) this.peer.resume?.();
    };
    waiting.then(done, done);
    return bytes;
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
    this.flush(true);
    this.peer.close(code, reason);
    this.dropped();
  }

  onClose(fn: () => void): void {
    if (this.isClosed) fn();
    else this.closeHooks.push(fn);
  }

  /** The transport reports the connection gone: abort its calls and free its listeners. */
  dropped(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const fn of this.closeHooks.splice(0)) {
      try {
        fn();
      } catch {
        // A plugin's cleanup never keeps the rest from being freed.
      }
    }
    this.backlog = [];
    this.queue.clear();
    this.head = this.eventCursor = this.backlogBytes = 0;
    this.lagged.clear();
    this.channels.clear();
    this.uploads.clear();
    const reason = new FerryError("cancelled", `window ${JSON.stringify(this.label)} disconnected`);
    for (const call of this.pending.values()) call.abort(reason);
    this.pending.clear();
    this.app.bus.removeConnection(this, new Set(this.listeners.values()));
    this.listeners.clear();
    const closed = this.closedError();
    for (const w of this.waiters.splice(0)) w.reject(closed);
    for (const w of this.roomWaiters.splice(0)) w.reject(closed);
    this.app.forget(this);
  }
}
