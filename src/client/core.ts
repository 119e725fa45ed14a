/**
 * The page side of ferry, transport-neutral: `invoke`, `listen`/`once`/`emit`/`emitTo`
 * and `Channel`, over any `ClientTransport` (browser WebSocket, Node `ws`, in-memory).
 */

import { coalesce, FrameReader, encodeValue, frameMessage, type Frame } from "../protocol/codec.ts";
import { FerryError } from "../protocol/errors.ts";
import { parseServerMessage, type ServerMessage } from "../protocol/messages.ts";
import { assertEventName } from "../protocol/names.ts";
import type { ClientOf } from "./types.ts";

/** Where a transport reports what arrives. */
export interface TransportSink {
  /** One incoming frame. */
  message(data: string | Uint8Array): void;
  /**
   * The connection ended, with its WebSocket close code and reason. `opened` is false when
   * it never opened (server not reachable, handshake refused); default true. `retrying`:
   * the transport is connecting again, so calls in flight reject but listeners stay.
   */
  close(code: number, reason: string, opened?: boolean, retrying?: boolean): void;
  /** A transport that reconnects: the new connection is open (listeners are registered again). */
  open?(): void;
}

/** A client's connection: `reconnecting` after a drop while its transport connects again. */
export type ConnectionState = "connected" | "reconnecting" | "closed";

/** The whole transport contract on the page side: send frames, report frames and close. */
export interface ClientTransport {
  send(frame: Frame): void;
  /** Called once by the client with the sink to report to. */
  start(sink: TransportSink): void;
  close(): void;
}

/** Per-call options of `invoke`. */
export interface InvokeOptions {
  /** Cancels the call: the promise rejects with `cancelled` and the handler's signal fires. */
  signal?: AbortSignal;
  /** Rejects with `timeout` (and cancels the handler) after this many milliseconds. */
  timeout?: number;
  /** Accepted for Tauri compatibility; not sent. */
  headers?: unknown;
  /**
   * `"tauri"`: what an app command throws rejects as kind `failed` with the thrown value in
   * `data` (a `FerryError` as its `{ kind, message, data? }`), as the Tauri bridge needs it.
   * Default: a thrown `FerryError` keeps its kind.
   */
  errors?: "tauri";
}

/** An event as page handlers receive it, the same shape as Tauri's. */
export interface Event<T> {
  event: string;
  /** The id of the listener this delivery is for (what `unlisten` removes). */
  id: number;
  payload: T;
  /**
   * Events to this listener the backend dropped just before this one because the window
   * fell behind (over the app's `maxBufferedBytes`; docs/flow-control.md). Absent when none were.
   */
  lagged?: number;
}

/** A page's event handler (`listen`, `once`). */
export type EventCallback<T> = (event: Event<T>) => void;
/** Stops the listener it was returned for; calling it again is harmless. */
export type UnlistenFn = () => void;

/** Options of `Client.listen`: Tauri's listener target. */
export interface ListenOptions {
  /**
   * Tauri's listener target, delivered by Tauri's rules: `{ kind: "Any" }` hears every event,
   * including those emitted to other windows; a label hears events emitted to that label.
   * Default: this window (every broadcast and every event emitted to its label).
   */
  target?: EventTarget;
}

/** A target for `emitTo`: a window label, or Tauri's `{ kind, label }` forms (`App`: backend listeners only). */
export type EventTarget = string | { kind: "Any" | "App" } | { kind: "AnyLabel" | "Window" | "Webview" | "WebviewWindow"; label: string };

interface PendingCall {
  resolve(value: unknown): void;
  reject(err: FerryError): void;
  /** Set only for calls with a timeout or a signal (`#watch`). */
  timer?: ReturnType<typeof setTimeout>;
  signal?: AbortSignal;
  onAbort?: () => void;
}

// Flushes go through a resolved promise, not queueMicrotask: Node's queueMicrotask makes
// an AsyncResource per call, which the profile showed costing more than the flush itself.
const resolved = Promise.resolve();

/** Live channels by id; ids are unique per page so all clients share one registry. */
const channels = new Map<number, Channel<any>>();
let nextChannelId = 1;

/**
 * An ordered stream from a backend handler to this page. Pass it as an argument; the
 * handler calls `send` on its end.
 *
 * @example
 * const progress = new Channel<number>((n) => bar.value = n);
 * await invoke("download", { url, progress });
 */
export class Channel<T = unknown> {
  readonly id: number;
  /** Called with each message, in the order the backend sent them. */
  onmessage: (message: T) => void;
  /** Called once when the backend closes the channel or the connection ends. */
  onclose: (() => void) | undefined;
  #next = 0;
  readonly #early = new Map<number, { v?: T; end?: true }>();

  constructor(onmessage?: (message: T) => void) {
    this.id = nextChannelId++;
    this.onmessage = onmessage ?? (() => {});
    this.onclose = undefined;
    channels.set(this.id, this);
  }

  /** Handles one delivery, reordering by index. */
  deliver(index: number, value: T | undefined, end: boolean | undefined): void {
    this.#early.set(index, end ? { end: true } : { v: value as T });
    let item;
    while ((item = this.#early.get(this.#next)) !== undefined) {
      this.#early.delete(this.#next++);
      if (item.end) return this.end();
      this.onmessage(item.v as T);
    }
  }

  /** Stops delivery and frees the channel. */
  end(): void {
    if (!channels.delete(this.id)) return;
    this.#early.clear();
    this.owner?.delete(this);
    this.onclose?.();
  }

  /** The channels of the connection this channel was sent over; ends with it. */
  owner: Set<Channel<any>> | undefined;

  toJSON(): string {
    return `__CHANNEL__:${this.id}`;
  }
}

/** Reports an error no caller can catch: the browser's console as uncaught, never a Node crash. */
function reportAsync(err: unknown): void {
  ((globalThis as { reportError?: (e: unknown) => void }).reportError ?? console.error)(err);
}

/**
 * A connection to a ferry backend over the given transport.
 *
 * @example
 * const client = createClient(connectMemory(app, "main"));
 * await client.invoke("greet", { name: "Ada" });
 */
export class Client {
  /**
   * Opt-in page features (`ferry/client/upload`) hook in here: `m` sees the messages the
   * core does not handle itself.
   */
  static ext: { m?: (client: Client, msg: ServerMessage) => void } = {};
  readonly #transport: ClientTransport;
  /**
   * Calls in flight by id. It holds an entry for id 0 (never a call's: ids start at 1), so it
   * is never empty: V8 shrinks a Map's table on the delete that empties it and grows it again
   * on the next set, an allocation per sequential call (docs/profile.md, round 4).
   */
  readonly #calls = new Map<number, PendingCall | undefined>([[0]] as unknown as [number, undefined][]);
  readonly #handlers = new Map<number, { event: string; fn: EventCallback<any>; target: EventTarget | undefined; live: boolean }>();
  /** Events dropped per handler id, told with its next event. */
  readonly #lagged = new Map<number, number>();
  #nextCallId = 1;
  #nextHandlerId = 1;
  #queue: Frame[] = [];
  readonly #reader = new FrameReader();
  /** Channels sent over this connection and not yet ended. */
  readonly #ownChannels = new Set<Channel<any>>();
  #flushScheduled = false;
  #closeError: FerryError | undefined;
  #state: ConnectionState = "connected";
  /** Called when `state` changes (docs/dev.md, "Reconnecting"). */
  onstatechange: ((state: ConnectionState) => void) | undefined;

  constructor(transport: ClientTransport) {
    this.#transport = transport;
    transport.start({
      message: (data) => this.#receive(data),
      close: (code, reason, opened, retrying) => this.#closed(code, reason, opened, retrying),
      open: () => this.#reopened(),
    });
  }

  /** `connected`, `reconnecting` (calls wait for the new connection) or `closed` (for good). */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Last in what it is called from: a handler that throws is reported as uncaught. */
  #setState(state: ConnectionState): void {
    if (this.#state !== state) this.onstatechange?.((this.#state = state));
  }

  /** A new connection after a drop: the page's listeners are registered on it again. */
  #reopened(): void {
    // Only listeners the backend had confirmed: one whose `listen` is still waiting is sent with it.
    for (const [id, { event, target, live }] of this.#handlers) if (live) this.#listen(event, id, target).catch(reportAsync);
    this.#setState("connected");
  }

  #listen(event: string, handler: number, target: EventTarget | undefined): Promise<unknown> {
    // An undefined target is not sent (JSON leaves it out).
    return this.invoke("plugin:event|listen", { event, target, handler });
  }

  /** True once the connection has ended; every call after that rejects with `connection_closed`. */
  get isClosed(): boolean {
    return this.#closeError !== undefined;
  }

  /**
   * Calls a backend command by name with named arguments.
   * Rejects with a `FerryError` whose `kind` says what went wrong.
   */
  invoke<T = unknown>(cmd: string, args?: Record<string, unknown>, options?: InvokeOptions): Promise<T> {
    if (this.#closeError) return Promise.reject(this.#closeError);
    if (options?.signal?.aborted) return Promise.reject(new FerryError("cancelled", `${cmd} was cancelled before it was sent`));
    let frame: Frame;
    const id = this.#nextCallId++;
    try {
      const head = `{"t":"i","id":${id},"cmd":${JSON.stringify(cmd)}${options?.errors === "tauri" ? `,"s":"tauri"` : ""}`;
      frame = args === undefined ? frameMessage(head) : frameMessage(head, "a", encodeValue(args, "args"));
    } catch (err) {
      return Promise.reject(err);
    }
    if (args !== undefined) {
      for (const key in args) {
        const v = args[key];
        if (v instanceof Channel && channels.has(v.id)) (v.owner = this.#ownChannels).add(v);
      }
    }
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = { resolve: resolve as (v: unknown) => void, reject };
      this.#calls.set(id, call);
      if (options?.signal || options?.timeout !== undefined) this.#watch(id, cmd, call, options);
      this.enqueue(frame);
    });
  }

  /** Arms a call's timeout and cancel signal; only calls that ask for them pay for the closures. */
  #watch(id: number, cmd: string, call: PendingCall, options: InvokeOptions): void {
    const abandon = (error: FerryError) => {
      if (!this.#calls.has(id)) return;
      this.#settle(id)?.reject(error);
      this.enqueue(`{"t":"c","id":${id}}`);
    };
    const signal = options.signal;
    if (signal) {
      call.signal = signal;
      call.onAbort = () => abandon(new FerryError("cancelled", `${cmd} was cancelled`, undefined, { cause: signal.reason }));
      signal.addEventListener("abort", call.onAbort, { once: true });
    }
    if (options.timeout !== undefined) {
      call.timer = setTimeout(
        () => abandon(new FerryError("timeout", `${cmd} did not answer within ${options.timeout} ms`)),
        options.timeout,
      );
    }
  }

  /**
   * Listens to an event; resolves once the backend has registered the listener, with the
   * function that removes it. Call it when the view goes away.
   *
   * @example
   * const unlisten = await listen<number>("job-progress", (e) => bar.value = e.payload);
   */
  async listen<T = unknown>(event: string, handler: EventCallback<T>, options?: ListenOptions): Promise<UnlistenFn> {
    const id = await this.addListener(event, handler, options);
    return () => this.removeListener(event, id);
  }

  /** `listen` resolving to the listener's id (the `id` its events carry), for `removeListener`. */
  async addListener<T = unknown>(event: string, handler: EventCallback<T>, options?: ListenOptions): Promise<number> {
    assertEventName(event);
    const id = this.#nextHandlerId++;
    const entry = { event, fn: handler, target: options?.target, live: false };
    this.#handlers.set(id, entry);
    try {
      await this.#listen(event, id, entry.target);
      entry.live = true;
    } catch (err) {
      this.#handlers.delete(id);
      throw err;
    }
    return id;
  }

  /** Listens to the next occurrence of an event only. */
  async once<T = unknown>(event: string, handler: EventCallback<T>): Promise<UnlistenFn> {
    let unlisten: UnlistenFn | undefined;
    let fired = false;
    unlisten = await this.listen<T>(event, (e) => {
      if (fired) return;
      fired = true;
      unlisten?.();
      handler(e);
    });
    if (fired) unlisten();
    return unlisten;
  }

  /** Emits an event to every listening window and to backend listeners. */
  async emit(event: string, payload?: unknown): Promise<void> {
    assertEventName(event);
    await this.invoke("plugin:event|emit", { event, payload });
  }

  /** Emits an event to the windows with the given label only. */
  async emitTo(target: EventTarget, event: string, payload?: unknown): Promise<void> {
    assertEventName(event);
    await this.invoke("plugin:event|emit_to", { target, event, payload });
  }

  /** Closes the connection; calls in flight reject with `connection_closed`. */
  close(): void {
    this.#transport.close();
    this.#closed(1000, "closed by the page");
  }

  /** Removes the listener with this id; unknown ids are ignored. */
  removeListener(event: string, id: number): void {
    if (!this.#handlers.delete(id) || this.#closeError) return;
    this.invoke("plugin:event|unlisten", { event, eventId: id }).catch(() => {
      // The connection ended: the backend has dropped the listener with it.
    });
  }

  #settle(id: number): PendingCall | undefined {
    const call = this.#calls.get(id);
    if (!call) return undefined;
    this.#calls.delete(id);
    // A timer is a Timeout object in Node and a positive integer in browsers: never falsy.
    if (call.timer) clearTimeout(call.timer);
    // `signal` and `onAbort` are set together (`#watch`).
    call.signal?.removeEventListener("abort", call.onAbort!);
    return call;
  }

  /** Queues one frame to the backend; frames queued in one turn leave together (used by `Client.ext` features). */
  enqueue(frame: Frame): void {
    this.#queue.push(frame);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    void resolved.then(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const frames = coalesce(this.#queue);
    this.#queue = [];
    if (this.#closeError) return;
    for (const f of frames) this.#transport.send(f);
  };

  #receive(data: string | Uint8Array): void {
    let messages: unknown[];
    try {
      messages = this.#reader.read(data);
    } catch (err) {
      reportAsync(err);
      return;
    }
    for (const raw of messages) {
      let msg: ServerMessage;
      try {
        msg = parseServerMessage(raw);
      } catch (err) {
        reportAsync(err);
        continue;
      }
      this.#handle(msg);
    }
  }

  #handle(msg: ServerMessage): void {
    switch (msg.t) {
      case "r":
        this.#settle(msg.id)?.resolve(msg.v);
        return;
      case "f":
        this.#settle(msg.id)?.reject(FerryError.fromWire(msg.e));
        return;
      case "e":
        for (const id of msg.h) {
          const h = this.#handlers.get(id);
          if (!h) continue;
          const lagged = this.#lagged.get(id);
          this.#lagged.delete(id);
          try {
            h.fn(lagged ? { event: msg.n, id, payload: msg.p, lagged } : { event: msg.n, id, payload: msg.p });
          } catch (err) {
            reportAsync(err);
          }
        }
        return;
      case "m":
        try {
          channels.get(msg.c)?.deliver(msg.i, msg.v, msg.end);
        } catch (err) {
          reportAsync(err);
        }
        return;
      case "l":
        msg.h.forEach((id, i) => this.#lagged.set(id, (this.#lagged.get(id) ?? 0) + msg.n[i]!));
        return;
      case "x":
        reportAsync(FerryError.fromWire(msg.e));
        return;
      default:
        Client.ext.m?.(this, msg);
    }
  }

  #closed(code: number, reason: string, opened = true, retrying = false): void {
    if (this.#closeError) return;
    const error = new FerryError("connection_closed", closeMessage(code, reason, opened), { code, reason, opened });
    if (!retrying) {
      this.#closeError = error;
      this.#handlers.clear();
    }
    for (const id of [...this.#calls.keys()]) this.#settle(id)?.reject(error);
    this.#queue = [];
    for (const channel of [...this.#ownChannels]) channel.end();
    this.#setState(retrying ? "reconnecting" : "closed");
  }
}

/**
 * What a close means, for the `connection_closed` message (codes: docs/errors.md). A
 * browser reports every refused handshake as 1006 before open, the same as a server that
 * is down; a bad token is accepted and closed with 4401 so it can be told apart.
 */
function closeMessage(code: number, reason: string, opened: boolean): string {
  const why =
    code === 4401
      ? "window token refused (revoked, or from an earlier run): reopen the app"
      : code === 4403
        ? "revoked by the app: reopen the app"
        : code === 4429
          ? "too many open connections"
          : code !== 1006
            ? "connection closed"
            : opened
              ? "connection dropped"
              : "server not reachable (or it refused the handshake: Host/Origin)";
  return `${why} (${code}${reason ? `: ${reason}` : ""})`;
}

/**
 * Creates a client over a transport; `createClient<App>(…)` types it by the backend's `App`
 * type (docs/types.md).
 */
export function createClient<Api = unknown>(transport: ClientTransport): ClientOf<Api> {
  return new Client(transport) as ClientOf<Api>;
}
