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
import { EventBus, type AnyEvents, type BackendListener, type WindowFilter } from "./events.ts";
import { bindChannels, mayHoldRefs } from "./channel.ts";
import { bindUploads } from "./upload.ts";
import { asThrownForTauri, ferryErrorOr, fromUnknown, internalError } from "./errors.ts";
import { eventPlugin } from "./event-plugin.ts";
import type { CommandScope, PermissionManifest } from "../acl/types.ts";
import type { AppTypes, Declared, EventMap, IsUntypedEvents, PayloadRest } from "../protocol/types.ts";
import { ipcLogEnabled, writeIpcLine, type IpcLogLine } from "./ipc-log.ts";
import { Inspector, INSPECTOR_LABEL } from "./inspector.ts";

export type { WindowFilter } from "./events.ts";

/** Constant verdicts for `authorize` functions that answer true or false: none is made per call. */
const ALLOWED: AccessDecision = Object.freeze({ allowed: true });
const DENIED: AccessDecision = Object.freeze({ allowed: false });

/** An access decision: allowed (with the scope the grant carries), or denied saying why. */
export type AccessDecision = { allowed: true; scope?: CommandScope } | { allowed: false; message?: string; data?: unknown };

/**
 * Decides whether a window may call a command; the capabilities layer plugs in here.
 * Outside dev mode ferry also asks it about commands a window did not call, to suggest
 * only callable ones for a mistyped name, so keep it free of side effects.
 */
export type Authorize = ((request: { window: string; command: string; dev: boolean; origin?: string }) => boolean | AccessDecision) & {
  /**
   * The commands some rule grants (`loadAccess(...).authorize` has it). A dev-mode app lists
   * at start-up the granted commands no code registers, and its commands nothing grants.
   */
  grantedCommands?: () => Iterable<string>;
};

/** A log line from the backend; `error` carries what the page never sees. */
export interface LogEntry {
  level: "error" | "warn" | "info";
  message: string;
  error?: unknown;
}

/**
 * Options of `createApp`. The type parameters after `State` are inferred from `commands`,
 * `events` and `rename`, for typed clients (docs/types.md).
 */
export interface AppOptions<
  State,
  Commands extends Record<string, CommandInput<State>> = Record<string, CommandInput<State>>,
  Events extends EventMap = AnyEvents,
  Rename extends ArgNames | undefined = ArgNames | undefined,
> {
  /** App commands by name, as in Tauri's `generate_handler!`. */
  commands?: Commands;
  /**
   * The app's event map, a type only: `defineEvents<{ "job-progress": number }>()`. Checks
   * `emit`/`listen` here and on typed pages; without it any name and payload go.
   */
  events?: Declared<Events>;
  /** Plugins; their commands are addressed as `plugin:<name>|<cmd>`. */
  plugins?: Plugin<NoInfer<State>>[];
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
  /**
   * One line per call and backend emit (window, name, duration, outcome; never values).
   * Default: with `FERRY_LOG=ipc` in the environment, JSON lines on stderr; else none.
   */
  ipcLog?: (line: IpcLogLine) => void;
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
  rename?: Rename;
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
  /**
   * Uploads (page `ReadableStream`/`Blob`/`File` arguments) held by one connection's running
   * calls; a call passing one more fails with `limit_exceeded`. Together they hold at most
   * `maxBufferedBytes` in the backend (docs/flow-control.md). Default 16.
   */
  uploads: number;
  /** Bytes one upload may carry; past it the handler's iteration throws `payload_too_large`. Default 16 GiB. */
  uploadBytes: number;
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
  uploads: 16,
  uploadBytes: 16 * 1024 * 1024 * 1024,
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

/** A backend listener's payload: from the event map, or `T` (`listen<T>(…)`) when the app declares none. */
export type ListenPayload<Events, E extends keyof Events, T> = IsUntypedEvents<Events> extends true ? T : Events[E];

/** The app as handlers and the embedding program see it. `Events` is its event map (`defineEvents`). */
export interface AppHandle<State = unknown, Events = AnyEvents> {
  readonly state: State;
  readonly dev: boolean;
  /** Emits to every listening window and to backend listeners. */
  emit<E extends keyof Events & string>(event: E, ...payload: PayloadRest<Events, E>): void;
  /**
   * Emits to the windows with this label (Tauri's `AnyLabel` target). As in Tauri, page
   * listeners registered with `{ kind: "Any" }` hear it too, in every window.
   */
  emitTo<E extends keyof Events & string>(label: string, event: E, ...payload: PayloadRest<Events, E>): void;
  /** Emits to the windows whose label passes `filter` (and, as in Tauri, to `Any` listeners). */
  emitFilter<E extends keyof Events & string>(event: E, payload: Events[E], filter: WindowFilter): void;
  /** Emits as if `window` had emitted (backend listeners see the source). */
  emitFrom<E extends keyof Events & string>(window: string, event: E, ...payload: PayloadRest<Events, E>): void;
  /**
   * Listens on the backend to events from pages and from the backend; returns unlisten.
   * With an event map the name picks the payload type; without one, `listen<T>(name, …)`.
   */
  listen<T = unknown, E extends keyof Events & string = keyof Events & string>(
    event: E,
    listener: BackendListener<ListenPayload<Events, E, T>>,
  ): () => void;
  /** Like `listen`, removed after the first event. */
  once<T = unknown, E extends keyof Events & string = keyof Events & string>(
    event: E,
    listener: BackendListener<ListenPayload<Events, E, T>>,
  ): () => void;
  /** Labels of the windows connected now. */
  windows(): string[];
  /** Number of page listeners (for one event, or all; in the windows labelled `label`, or all). */
  listenerCount(event?: string, label?: string): number;
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

/**
 * The app as its program and transports see it. A page gets a typed client from its type
 * alone: `export type App = typeof app` on the backend, `client<App>()` on the page.
 */
export interface App<
  State = unknown,
  Commands = Record<string, CommandInput<State>>,
  Events = AnyEvents,
  Rename extends ArgNames | undefined = ArgNames | undefined,
> extends AppHandle<State, Events> {
  /** Types for typed clients (docs/types.md); never set at run time. */
  readonly "~types"?: AppTypes<Commands, Events, Rename> | undefined;
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

/** What a handler threw, as thrown (a Tauri page's calls use `asThrownForTauri`); one function, not a closure per call. */
const asThrown = (e: unknown): unknown => e;

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
export function createApp<
  State = undefined,
  Commands extends Record<string, CommandInput<State>> = Record<string, CommandInput<State>>,
  Events extends EventMap = AnyEvents,
  Rename extends ArgNames | undefined = undefined,
>(options: AppOptions<State, Commands, Events, Rename> = {}): App<State, Commands, Events, Rename> {
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
  const ipcLog = options.ipcLog ?? (ipcLogEnabled() ? writeIpcLine : undefined);
  /** The dev-mode inspector's feed (docs/inspector.md); none outside dev mode. */
  const inspector = dev ? new Inspector() : undefined;
  /** When each call arrived, kept only while the IPC log is on or the inspector watches. */
  const arrived = new WeakMap<PendingCall, number>();
  const logIpc = (line: IpcLogLine): void => {
    try {
      ipcLog?.(line);
    } catch {
      // a broken log must not take a call with it
    }
  };
  /** Logs a call; `value` is its result or FerryError, `args` those of a call refused before it ran (for the inspector). */
  const logCall = (
    conn: Connection,
    name: string,
    outcome: string,
    call?: PendingCall,
    bytes = 0,
    value?: unknown,
    args?: unknown,
  ): void => {
    const watched = inspector !== undefined && inspector.watching;
    if (!ipcLog && !watched) return;
    const t = call && arrived.get(call);
    const line: IpcLogLine = {
      type: "call",
      window: conn.label,
      name,
      ms: t ? Math.round((performance.now() - t) * 100) / 100 : 0,
      bytes,
      outcome,
    };
    if (ipcLog) logIpc(line);
    if (watched) inspector.recordCall(line, call, args, value);
  };
  const logEvent = (window: string, name: string, bytes: number, payload: unknown): void => {
    const watched = inspector !== undefined && inspector.watching;
    if (!ipcLog && !watched) return;
    const line: IpcLogLine = { type: "event", window, name, bytes, outcome: "ok" };
    if (ipcLog) logIpc(line);
    if (watched) inspector.recordEvent(line, payload);
  };
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
  /** The app's own commands (not plugins'): what they throw reaches a Tauri page as thrown. */
  const appCommands = new Set<Command>();
  const connections = new Set<Connection>();
  const bus = new EventBus((error, event) => log({ level: "error", message: `listener for "${event}" threw`, error }));

  for (const [name, input] of Object.entries(options.commands ?? {})) {
    if (name.startsWith("plugin:")) throw new TypeError(`command ${name}: the "plugin:" prefix is for plugins`);
    const command = toCommand(name, input);
    const entry = options.rename && !command.rename ? { ...command, rename: options.rename } : command;
    registry.set(name, entry);
    appCommands.add(entry);
  }
  for (const plugin of [eventPlugin(bus), ...(options.plugins ?? [])]) {
    for (const [cmd, input] of Object.entries(plugin.commands)) {
      registry.set(`plugin:${plugin.name}|${cmd}`, toCommand(cmd, input));
    }
  }

  if (dev) auditRegistration(registry, authorize, log);

  /**
   * Runs the access rule; a rule that throws or answers nonsense denies. Logged, unless
   * `quiet` (did-you-mean asks about commands the page never called).
   */
  const decide = (request: Parameters<Authorize>[0], quiet = false): AccessDecision => {
    try {
      const verdict = authorize(request);
      if (typeof verdict === "boolean") return verdict ? ALLOWED : DENIED;
      if (typeof verdict === "object" && verdict !== null && typeof verdict.allowed === "boolean") return verdict;
      if (!quiet) log({ level: "error", message: `authorize returned ${String(verdict)} for "${request.command}"; denying` });
    } catch (error) {
      if (!quiet) log({ level: "error", message: `authorize threw for "${request.command}"; denying`, error });
    }
    return { allowed: false, message: `window "${request.window}" may not call "${request.command}": the access rule failed` };
  };

  /** The access request for `command` from `conn`. */
  const requestOf = (conn: Connection, command: string): Parameters<Authorize>[0] =>
    conn.origin ? { window: conn.label, command, dev, origin: conn.origin } : { window: conn.label, command, dev };

  const notFound = (cmd: string, conn: Connection): FerryError => {
    // Suggestions cost an edit distance per registered name: a few per connection, short names only.
    // Outside dev mode only a command this window may call is suggested: the names of the
    // others are the app's business, not the page's.
    const suggestion =
      cmd.length <= 64 && conn.spendSuggestion()
        ? suggest(cmd, registry.keys(), dev ? undefined : (c) => decide(requestOf(conn, c), true).allowed)
        : undefined;
    const hint = suggestion ? ` Did you mean "${suggestion}"?` : " Is it registered in createApp({ commands })?";
    // Tauri's wording first, so a page that matches on it keeps working.
    return new FerryError("command_not_found", `command ${cmd} not found.${hint}`, {
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

  /** Answers a call refused before its handler ran. */
  const refuseCall = (conn: Connection, msg: InvokeMessage, error: FerryError): void => {
    logCall(conn, msg.cmd, error.kind, undefined, 0, error, msg.a);
    conn.fail(msg.id, error);
  };

  const settle = (conn: Connection, id: number, call: PendingCall, ok: boolean, value: unknown, cmd: string) => {
    if (conn.pending.get(id) !== call) return;
    conn.pending.delete(id);
    conn.endUploads(call);
    if (call.aborted) return logCall(conn, cmd, "cancelled", call); // the page already settled the call
    let error: FerryError;
    if (ok) {
      try {
        const bytes = conn.reply(id, value);
        logCall(conn, cmd, "ok", call, bytes, value);
        return;
      } catch (err) {
        // A result the codec refused keeps its not_serializable; a getter or toJSON that threw is internal.
        error = ferryErrorOr(err, `the result of "${cmd}" could not be serialized`);
      }
    } else error = fromUnknown(value);
    // fromUnknown and ferryErrorOr hand back only errors whose kind reads as a string.
    if (error.kind === "internal") log({ level: "error", message: `command "${cmd}" failed`, error: ok ? error.cause : value });
    logCall(conn, cmd, error.kind, call, 0, error);
    conn.fail(id, error);
  };

  /** The tutorial's gotcha: blocking I/O in a handler stalls every window. Dev mode says so. */
  const warnIfBlocking = (cmd: string, ms: number) => {
    if (ms < BLOCKING_WARN_MS) return;
    log({
      level: "warn",
      message: `command "${cmd}" blocked the event loop for ${Math.round(ms)} ms, stalling every window; use non-blocking I/O (node:fs/promises), or workerPool for CPU work (docs/workers.md)`,
    });
  };

  const run = (conn: Connection, msg: InvokeMessage, command: Command, args: unknown, call: PendingCall, ctx: PluginContext<State>) => {
    let out: unknown;
    const thrown = msg.s === "tauri" && appCommands.has(command) ? asThrownForTauri : asThrown;
    const started = dev ? performance.now() : 0;
    try {
      out = command.handler(args, ctx);
    } catch (err) {
      finish(conn, msg.id, call, false, thrown(err), msg.cmd);
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
        (e) => finish(conn, msg.id, call, false, thrown(e), msg.cmd),
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
      // The inspector's token calls only the inspector: no access rule is asked, none can grant it more.
      if (conn.label === INSPECTOR_LABEL) return inspector ? inspector.answer(conn, msg, app.windows) : refuseInspector(conn, msg);
      const command = registry.get(msg.cmd);
      if (!command) return refuseCall(conn, msg, unsupported(msg.cmd) ?? notFound(msg.cmd, conn));
      const decision = decide(requestOf(conn, msg.cmd));
      if (!decision.allowed) {
        const message = decision.message ?? `window "${conn.label}" may not call "${msg.cmd}"`;
        return refuseCall(
          conn,
          msg,
          new FerryError("permission_denied", message, decision.data ?? { command: msg.cmd, window: conn.label }),
        );
      }
      if (conn.pending.size >= limits.callsInFlight) {
        return refuseCall(
          conn,
          msg,
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
        return refuseCall(
          conn,
          msg,
          new FerryError("invalid_args", `args for ${msg.cmd} must be an object of named arguments`, { command: msg.cmd }),
        );
      }
      const sentKeys = command.rename === "camelCase" ? Object.keys(args as Record<string, unknown>) : undefined;
      if (sentKeys) args = snakeCaseKeys(args as Record<string, unknown>);
      const call = new PendingCall();
      if (mayHoldRefs(args as Record<string, unknown>)) {
        try {
          args = bindChannels(conn, msg.cmd, args as Record<string, unknown>, msg.id, call);
          args = bindUploads(conn, msg.cmd, args as Record<string, unknown>, call);
        } catch (err) {
          conn.endUploads(call);
          return refuseCall(conn, msg, ferryErrorOr(err, `the channels or uploads of "${msg.cmd}" could not be bound`));
        }
      }
      conn.pending.set(msg.id, call);
      if (ipcLog || inspector?.watching) arrived.set(call, performance.now());
      if (inspector?.watching) inspector.started(call, msg.a);
      const ctx = new CallContext<State>(conn, app, call, decision.scope);
      if (!command.args) return run(conn, msg, command, args, call, ctx);
      validateArgs(msg.cmd, command.args, args, sentKeys).then(
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
      logEvent("backend", event, bus.dispatch(event, payload, { toBackend: true }), payload);
    },
    emitTo(label, event, payload) {
      logEvent("backend", event, bus.dispatch(event, payload, { toBackend: false, to: { kind: "AnyLabel", label } }), payload);
    },
    emitFilter(event, payload, filter) {
      logEvent("backend", event, bus.dispatch(event, payload, { toBackend: false, to: { kind: "Filter", filter } }), payload);
    },
    emitFrom(window, event, payload) {
      logEvent(window, event, bus.dispatch(event, payload, { toBackend: true, source: window }), payload);
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
      return [...new Set([...connections].map((c) => c.label))].filter((label) => label !== INSPECTOR_LABEL);
    },
    listenerCount(event, label) {
      return bus.pageListenerCount(event, label);
    },
    commandNames() {
      return [...registry.keys()];
    },
    close() {
      for (const conn of [...connections]) conn.close(CloseCode.goingAway, "app closing");
    },
  };
  return app as App<State> as App<State, Commands, Events, Rename>;
}

/**
 * The tutorial's first gotcha, a command granted but never registered (or registered but
 * never granted), said once at start-up in dev mode rather than at the first failing call.
 */
function auditRegistration(registry: Map<string, Command>, authorize: Authorize, log: (entry: LogEntry) => void): void {
  let granted: Set<string>;
  try {
    if (typeof authorize.grantedCommands !== "function") return;
    granted = new Set(authorize.grantedCommands());
  } catch (error) {
    log({ level: "warn", message: "authorize.grantedCommands threw; registrations not checked", error });
    return;
  }
  const unregistered = [...granted].filter((c) => !registry.has(c)).sort();
  const ungranted = [...registry.keys()].filter((c) => !c.startsWith("plugin:") && !granted.has(c)).sort();
  const list = (names: string[]) => names.map((n) => JSON.stringify(n)).join(", ");
  if (unregistered.length > 0) {
    log({
      level: "warn",
      message: `capabilities grant ${list(unregistered)}, which no code registers: add ${unregistered.length > 1 ? "them" : "it"} to createApp({ commands }) (or the plugin that has ${unregistered.length > 1 ? "them" : "it"})`,
    });
  }
  if (ungranted.length > 0) {
    log({
      level: "warn",
      message: `no capability grants ${list(ungranted)}: every call will be denied; grant ${ungranted.length > 1 ? "them" : "it"} in capabilities/ (e.g. "allow-${ungranted[0]!.replaceAll("_", "-")}")`,
    });
  }
}

/** Tauri's core plugins: a call into one the app does not have is `unsupported`, not unknown. */
const TAURI_CORE_PLUGIN = /^plugin:(app|image|menu|path|resources|tray|webview|window)\|/;

/** `unsupported` for a call into a core part of Tauri this app lacks (`plugin:menu|new`), else undefined. */
function unsupported(cmd: string): FerryError | undefined {
  const m = TAURI_CORE_PLUGIN.exec(cmd);
  if (!m) return undefined;
  return new FerryError(
    "unsupported",
    `${cmd}: ferry does not provide Tauri's ${m[1]} API (docs/migrating-from-tauri.md lists what it does)`,
    {
      command: cmd,
      plugin: m[1],
    },
  );
}

/** Outside dev mode there is no inspector: its label, should a transport bind one, may call nothing. */
function refuseInspector(conn: Connection, msg: InvokeMessage): void {
  conn.fail(
    msg.id,
    new FerryError("permission_denied", "there is no inspector outside dev mode", { command: msg.cmd, window: conn.label }),
  );
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
