/**
 * The app: its command registry, event bus, state and connections, and the router that
 * takes an invoke from the door to its handler: lookup → access → args → handler → reply.
 *
 * The app never imports a transport; transports call `app.connect(label, peer)`.
 */

import { FerryError } from "../protocol/errors.ts";
import { suggest } from "../protocol/names.ts";
import type { InvokeMessage } from "../protocol/messages.ts";
import { snakeCaseKeys, toCommand, validateArgs, type ArgNames, type Command, type CommandContext, type CommandInput } from "./commands.ts";
import { Connection, CloseCode, PendingCall, type Peer, type PluginConnection, type TransportConnection } from "./connection.ts";
import { EventBus, type BackendListener, type WindowFilter } from "./events.ts";
import { bindChannels } from "./channel.ts";
import { ferryErrorOr, fromUnknown, internalError } from "./errors.ts";
import { eventPlugin } from "./event-plugin.ts";
import type { CommandScope, PermissionManifest } from "../acl/types.ts";

export type { WindowFilter } from "./events.ts";

/** An access decision: allowed (with the scope the grant carries), or denied saying why. */
export type AccessDecision = { allowed: true; scope?: CommandScope } | { allowed: false; message?: string; data?: unknown };

/**
 * Decides whether a window may call a command; the capabilities layer plugs in here.
 * Outside dev mode ferry also asks it about commands a window did not call, to suggest
 * only callable ones for a mistyped name, so keep it free of side effects.
 */
export type Authorize = (request: { window: string; command: string; dev: boolean; origin?: string }) => boolean | AccessDecision;

/** A log line from the backend; `error` carries what the page never sees. */
export interface LogEntry {
  level: "error" | "warn" | "info";
  message: string;
  error?: unknown;
}

/** Options of `createApp`. */
export interface AppOptions<State> {
  /** App commands by name, as in Tauri's `generate_handler!`. */
  commands?: Record<string, CommandInput<State>>;
  /** Plugins; their commands are addressed as `plugin:<name>|<cmd>`. */
  plugins?: Plugin<State>[];
  /** App state every handler sees as `ctx.state`. */
  state?: State;
  /** Dev mode: internal errors carry their message and stack to the page. Default false. */
  dev?: boolean;
  /**
   * Access decision per call: capabilities (`loadAccess(...).authorize` from `ferry/acl`),
   * or `allowAll` while prototyping. Without one, every call is denied: deny by default.
   */
  authorize?: Authorize;
  /** Where backend log lines go. Default: the console. */
  log?: (entry: LogEntry) => void;
  /** Largest incoming frame in bytes; larger frames close the connection (1009). Default 64 MiB. */
  maxFrameBytes?: number;
  /**
   * Bound on one connection's outgoing buffer in bytes (docs/flow-control.md): events over it
   * drop the oldest queued ones (the page sees `lagged`), channel sends wait, and
   * `ctx.connection.writable` is false until half of it has drained. Default 8 MiB.
   */
  maxBufferedBytes?: number;
  /** Per-connection and per-window limits (see `Limits`); each has a default. */
  limits?: Partial<Limits>;
  /**
   * Argument naming of app commands that do not set their own (see `ArgNames`). Set
   * `"camelCase"` for handlers ported from Tauri with snake_case names. Default: keys as sent.
   */
  rename?: ArgNames;
}

/**
 * What one page can make the backend hold. Over a limit a call fails with `limit_exceeded`
 * (data: `{ limit, max }`), or the transport closes the connection with 4429 (docs/errors.md).
 */
export interface Limits {
  /** Calls in flight on one connection. Default 1024. */
  callsInFlight: number;
  /** Page listeners on one connection. Default 4096. */
  listeners: number;
  /** Open connections of one window label (reloads and reconnects overlap briefly). Default 32. */
  connectionsPerWindow: number;
  /**
   * Byte segments one incoming message may announce (their total is bounded by
   * `maxFrameBytes`); more closes the connection with 1009 before any arrives. Default 1024.
   */
  segmentsPerMessage: number;
  /**
   * Page channels one connection's running calls hold (a channel passed to a call stays
   * bound until it closes, its connection ends, or room is needed after its call settled).
   * Default 1024.
   */
  channels: number;
  /** Deepest nesting of arrays and objects in one incoming text frame; deeper closes with 1009 before parsing. Default 128. */
  nestingDepth: number;
  /**
   * Arrays and objects in one incoming text frame; more closes with 1009 before parsing, so
   * a frame never costs more than a bounded multiple of its size to parse. Default 100,000.
   */
  containersPerFrame: number;
}

/** The limits an app gets when it sets none. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  callsInFlight: 1024,
  listeners: 4096,
  channels: 1024,
  connectionsPerWindow: 32,
  segmentsPerMessage: 1024,
  nestingDepth: 128,
  containersPerFrame: 100_000,
};

/** What plugin commands see besides the usual context: the calling connection. */
export interface PluginContext<State = unknown> extends CommandContext<State> {
  readonly connection: PluginConnection;
}

/** A plugin: commands addressed as `plugin:<name>|<cmd>`, and the permissions capabilities may grant. */
export interface Plugin<State = any> {
  name: string;
  commands: Record<string, ((args: any, ctx: PluginContext<State>) => unknown) | Command<any, State>>;
  /** Its permission manifest (`default`, sets, scoped permissions), as the capabilities layer reads it. */
  permissions?: PermissionManifest;
}

/** Identity helper that types a plugin's command contexts. */
export function definePlugin<State = any>(plugin: Plugin<State>): Plugin<State> {
  return plugin;
}

/** The app as handlers and the embedding program see it. */
export interface AppHandle<State = unknown> {
  readonly state: State;
  readonly dev: boolean;
  /** Emits to every listening window and to backend listeners. */
  emit(event: string, payload?: unknown): void;
  /** Emits to the windows with this label only. */
  emitTo(label: string, event: string, payload?: unknown): void;
  /** Emits to the windows whose label passes `filter`. */
  emitFilter(event: string, payload: unknown, filter: WindowFilter): void;
  /** Emits as if `window` had emitted (backend listeners see the source). */
  emitFrom(window: string, event: string, payload?: unknown): void;
  /** Listens on the backend to events from pages and from the backend; returns unlisten. */
  listen<T = unknown>(event: string, listener: BackendListener<T>): () => void;
  /** Like `listen`, removed after the first event. */
  once<T = unknown>(event: string, listener: BackendListener<T>): () => void;
  /** Labels of the windows connected now. */
  windows(): string[];
  /** Number of page listeners (for one event, or all). */
  listenerCount(event?: string): number;
}

/** What connections need from the app; not part of the public API. */
export interface AppInternals {
  readonly dev: boolean;
  readonly limits: Readonly<Limits>;
  readonly maxFrameBytes: number;
  readonly maxBufferedBytes: number;
  /** The app's log; never throws. */
  log(entry: LogEntry): void;
  readonly bus: EventBus;
  dispatch(conn: Connection, msg: InvokeMessage): void;
  forget(conn: Connection): void;
}

/** The app as its program and transports see it. */
export interface App<State = unknown> extends AppHandle<State> {
  /** For transports: a new connection for an authenticated window, with the page's origin if known. */
  connect(label: string, peer: Peer, origin?: string): TransportConnection;
  /** Largest incoming frame, for transports to enforce. */
  readonly maxFrameBytes: number;
  /** Bound on a connection's outgoing buffer, for transports to report `send(…) === false` above. */
  readonly maxBufferedBytes: number;
  /** The app's limits, defaults filled in; transports enforce `connectionsPerWindow`. */
  readonly limits: Readonly<Limits>;
  /** Command names, app and plugin, for tooling and suggestions. */
  commandNames(): string[];
  /** Closes every connection (code 1001). */
  close(): void;
}

/** Synchronous handler time (dev mode) above which ferry warns about blocking the event loop. */
const BLOCKING_WARN_MS = 50;

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * Creates an app from its commands, plugins and state.
 *
 * @example
 * const app = createApp({ commands: { greet: ({ name }) => `Hello, ${name}!` } });
 * await serveWs(app, { root: "ui" });
 */
export function createApp<State = undefined>(options: AppOptions<State> = {}): App<State> {
  const dev = options.dev ?? false;
  const userLog = options.log ?? defaultLog;
  /** A log that never throws: a broken log function must not take a call's reply with it. */
  const log = (entry: LogEntry): void => {
    try {
      userLog(entry);
    } catch {
      // nothing left to tell
    }
  };
  const authorize = options.authorize ?? denyWithoutRules;
  const limits: Readonly<Limits> = Object.freeze({ ...DEFAULT_LIMITS, ...options.limits });
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new TypeError(`createApp: limits.${name} must be a positive integer, got ${String(value)}`);
  }
  for (const name of ["maxFrameBytes", "maxBufferedBytes"] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1))
      throw new TypeError(`createApp: ${name} must be a positive integer, got ${String(value)}`);
  }
  const registry = new Map<string, Command>();
  const connections = new Set<Connection>();
  const bus = new EventBus((error, event) => log({ level: "error", message: `listener for "${event}" threw`, error }));

  for (const [name, input] of Object.entries(options.commands ?? {})) {
    if (name.startsWith("plugin:")) throw new TypeError(`command ${name}: the "plugin:" prefix is for plugins`);
    const command = toCommand(name, input);
    registry.set(name, options.rename && !command.rename ? { ...command, rename: options.rename } : command);
  }
  for (const plugin of [eventPlugin(bus), ...(options.plugins ?? [])]) {
    for (const [cmd, input] of Object.entries(plugin.commands)) {
      registry.set(`plugin:${plugin.name}|${cmd}`, toCommand(cmd, input));
    }
  }

  /**
   * Runs the access rule; a rule that throws or answers nonsense denies. Logged, unless
   * `quiet` (did-you-mean asks about commands the page never called).
   */
  const decide = (request: Parameters<Authorize>[0], quiet = false): AccessDecision => {
    try {
      const verdict = authorize(request);
      if (typeof verdict === "boolean") return { allowed: verdict };
      if (typeof verdict === "object" && verdict !== null && typeof verdict.allowed === "boolean") return verdict;
      if (!quiet) log({ level: "error", message: `authorize returned ${String(verdict)} for "${request.command}"; denying` });
    } catch (error) {
      if (!quiet) log({ level: "error", message: `authorize threw for "${request.command}"; denying`, error });
    }
    return { allowed: false, message: `window "${request.window}" may not call "${request.command}": the access rule failed` };
  };

  /** The access request for `command` from `conn`. */
  const requestOf = (conn: Connection, command: string): Parameters<Authorize>[0] => ({
    window: conn.label,
    command,
    dev,
    ...(conn.origin ? { origin: conn.origin } : {}),
  });

  const notFound = (cmd: string, conn: Connection): FerryError => {
    // Suggestions cost an edit distance per registered name: a few per connection, short names only.
    // Outside dev mode only a command this window may call is suggested: the names of the
    // others are the app's business, not the page's.
    const suggestion =
      cmd.length <= 64 && conn.spendSuggestion()
        ? suggest(cmd, registry.keys(), dev ? undefined : (c) => decide(requestOf(conn, c), true).allowed)
        : undefined;
    const hint = suggestion ? ` Did you mean "${suggestion}"?` : " Is it registered in createApp({ commands })?";
    return new FerryError("command_not_found", `unknown command "${cmd}".${hint}`, {
      command: cmd,
      ...(suggestion ? { suggestion } : {}),
    });
  };

  /**
   * Settles a call: its result, or what it threw by the rule in errors.ts. Never throws,
   * whatever the value: it runs inside promise callbacks, where a throw would end the process.
   */
  const finish = (conn: Connection, id: number, call: PendingCall, ok: boolean, value: unknown, cmd: string) => {
    try {
      settle(conn, id, call, ok, value, cmd);
    } catch (bad) {
      // The last line of defence: whatever slipped through, the call is answered and the process lives.
      log({ level: "error", message: `command "${cmd}" could not be answered`, error: bad });
      conn.fail(id, internalError(`command "${cmd}" could not be answered`, bad));
    }
  };

  const settle = (conn: Connection, id: number, call: PendingCall, ok: boolean, value: unknown, cmd: string) => {
    if (conn.pending.get(id) !== call) return;
    conn.pending.delete(id);
    if (call.aborted) return; // the page already settled the call
    let error: FerryError;
    if (ok) {
      try {
        conn.reply(id, value);
        return;
      } catch (err) {
        // A result the codec refused keeps its not_serializable; a getter or toJSON that threw is internal.
        error = ferryErrorOr(err, `the result of "${cmd}" could not be serialized`);
      }
    } else error = fromUnknown(value);
    // fromUnknown and ferryErrorOr hand back only errors whose kind reads as a string.
    if (error.kind === "internal") log({ level: "error", message: `command "${cmd}" failed`, error: ok ? error.cause : value });
    conn.fail(id, error);
  };

  /** The tutorial's gotcha: blocking I/O in a handler stalls every window. Dev mode says so. */
  const warnIfBlocking = (cmd: string, ms: number) => {
    if (ms < BLOCKING_WARN_MS) return;
    log({
      level: "warn",
      message: `command "${cmd}" blocked the event loop for ${Math.round(ms)} ms, stalling every window; use non-blocking I/O (node:fs/promises) or a worker`,
    });
  };

  const run = (conn: Connection, msg: InvokeMessage, command: Command, args: unknown, call: PendingCall, ctx: PluginContext<State>) => {
    let out: unknown;
    const started = dev ? performance.now() : 0;
    try {
      out = command.handler(args, ctx);
    } catch (err) {
      finish(conn, msg.id, call, false, err, msg.cmd);
      return;
    }
    if (dev) warnIfBlocking(msg.cmd, performance.now() - started);
    let then: unknown;
    try {
      then = typeof out === "object" && out !== null ? (out as PromiseLike<unknown>).then : undefined;
    } catch (err) {
      finish(conn, msg.id, call, false, internalError(`reading "then" of the result of "${msg.cmd}" threw`, err), msg.cmd);
      return;
    }
    if (typeof then !== "function") return finish(conn, msg.id, call, true, out, msg.cmd);
    try {
      (then as PromiseLike<unknown>["then"]).call(
        out,
        (v) => finish(conn, msg.id, call, true, v, msg.cmd),
        (e) => finish(conn, msg.id, call, false, e, msg.cmd),
      );
    } catch (err) {
      finish(conn, msg.id, call, false, err, msg.cmd); // a `then` that throws
    }
  };

  const app: App<State> & AppInternals = {
    state: options.state as State,
    dev,
    bus,
    log,
    maxFrameBytes: options.maxFrameBytes ?? 64 * 1024 * 1024,
    maxBufferedBytes: options.maxBufferedBytes ?? 8 * 1024 * 1024,
    limits,

    dispatch(conn, msg) {
      const command = registry.get(msg.cmd);
      if (!command) return conn.fail(msg.id, notFound(msg.cmd, conn));
      const decision = decide(requestOf(conn, msg.cmd));
      if (!decision.allowed) {
        const message = decision.message ?? `window "${conn.label}" may not call "${msg.cmd}"`;
        return conn.fail(msg.id, new FerryError("permission_denied", message, decision.data ?? { command: msg.cmd, window: conn.label }));
      }
      if (conn.pending.size >= limits.callsInFlight) {
        return conn.fail(
          msg.id,
          new FerryError("limit_exceeded", `window "${conn.label}" has ${limits.callsInFlight} calls in flight, the most it may`, {
            limit: "callsInFlight",
            max: limits.callsInFlight,
          }),
        );
      }
      if (conn.pending.has(msg.id)) {
        // Not a failure of that id: the call in flight under it goes on and settles it.
        return conn.protocolError(new FerryError("protocol", `call id ${msg.id} is already in flight`));
      }
      let args: unknown = msg.a ?? {};
      if (!isPlainObject(args)) {
        return conn.fail(
          msg.id,
          new FerryError("invalid_args", `args for ${msg.cmd} must be an object of named arguments`, { command: msg.cmd }),
        );
      }
      if (command.rename === "camelCase") args = snakeCaseKeys(args as Record<string, unknown>);
      const call = new PendingCall();
      try {
        args = bindChannels(conn, msg.cmd, args as Record<string, unknown>, msg.id, call);
      } catch (err) {
        return conn.fail(msg.id, ferryErrorOr(err, `the channels of "${msg.cmd}" could not be bound`));
      }
      conn.pending.set(msg.id, call);
      const ctx = new CallContext<State>(conn, app, call, decision.scope);
      if (!command.args) return run(conn, msg, command, args, call, ctx);
      validateArgs(msg.cmd, command.args, args).then(
        (valid) => run(conn, msg, command, valid, call, ctx),
        // invalid_args, or a schema that threw: a bug of the app's, not a value for the page.
        (err) => finish(conn, msg.id, call, false, ferryErrorOr(err, `the args schema of "${msg.cmd}" threw`), msg.cmd),
      );
    },

    forget(conn) {
      connections.delete(conn);
    },

    connect(label, peer, origin) {
      const conn = new Connection(app, label, peer, origin);
      connections.add(conn);
      return conn;
    },

    emit(event, payload) {
      bus.dispatch(event, payload, { toBackend: true });
    },
    emitTo(label, event, payload) {
      bus.dispatch(event, payload, { toBackend: false, filter: (l) => l === label });
    },
    emitFilter(event, payload, filter) {
      bus.dispatch(event, payload, { toBackend: false, filter });
    },
    emitFrom(window, event, payload) {
      bus.dispatch(event, payload, { toBackend: true, source: window });
    },
    listen(event, listener) {
      return bus.addBackendListener(event, listener as BackendListener);
    },
    once(event, listener) {
      const off = bus.addBackendListener(event, (e) => {
        off();
        (listener as BackendListener)(e);
      });
      return off;
    },
    windows() {
      return [...new Set([...connections].map((c) => c.label))];
    },
    listenerCount(event) {
      return bus.pageListenerCount(event);
    },
    commandNames() {
      return [...registry.keys()];
    },
    close() {
      for (const conn of [...connections]) conn.close(CloseCode.goingAway, "app closing");
    },
  };
  return app;
}

/** Grants every registered command to every window. For prototypes and tests, not for apps. */
export const allowAll: Authorize = () => true;

/** The default when an app configures no access rules: deny, and say how to grant. */
const denyWithoutRules: Authorize = ({ window, command }) => ({
  allowed: false,
  message:
    `window "${window}" may not call "${command}": this app has no access rules, and ferry denies by default. ` +
    "Load capabilities with ferry/acl (createApp({ authorize: (await loadAccess(...)).authorize })) " +
    "or pass createApp({ authorize: allowAll }) while prototyping.",
  data: { command, window },
});

const kCall = Symbol("call");

/** An own, enumerable accessor, so `{ ...ctx }` still carries a live signal. */
const SIGNAL: PropertyDescriptor = {
  enumerable: true,
  get(this: CallContext<unknown>): AbortSignal {
    return this[kCall].signal;
  },
};

/**
 * A handler's context. `signal` makes the call's AbortController on first read (see
 * PendingCall). A class with one shared accessor, not an object literal with a getter:
 * V8 builds such a literal on a slow path (~770 ns and ~700 bytes per call, measured).
 */
class CallContext<State> implements PluginContext<State> {
  readonly window: string;
  declare readonly signal: AbortSignal;
  readonly app: AppHandle<State>;
  readonly state: State;
  readonly connection: Connection;
  declare readonly scope?: CommandScope;
  readonly [kCall]: PendingCall;

  constructor(conn: Connection, app: AppHandle<State>, call: PendingCall, scope: CommandScope | undefined) {
    this.window = conn.label;
    this.app = app;
    this.state = app.state;
    this.connection = conn;
    this[kCall] = call;
    if (scope !== undefined) (this as { scope?: CommandScope }).scope = scope;
    Object.defineProperty(this, "signal", SIGNAL);
  }
}

function defaultLog(entry: LogEntry): void {
  const line = `[ferry] ${entry.level}: ${entry.message}`;
  if (entry.level === "info") console.log(line);
  else console.error(line, entry.error ?? "");
}
