/**
 * The typed client: what `client<App>()` gives a page that imports the backend's `App`
 * type. Type-only: the typed client is the same object as the untyped one, so it adds no
 * bytes (docs/types.md).
 *
 * Everything is read from the backend's types structurally (a backend `Channel` is
 * anything with `send` and `close`), so the page never imports backend code.
 */

import type { FerryError, FrameworkErrorKind } from "../protocol/errors.ts";
import type { AppTypes, CommandTypes, ErrorMap, EventMap, IsUntypedEvents, PayloadRest } from "../protocol/types.ts";
import type { Channel, Client, ConnectionState, EventCallback, EventTarget, InvokeOptions, ListenOptions, UnlistenFn } from "./core.ts";

/** `true` when `T` is `any`. */
type IsAny<T> = 0 extends 1 & T ? true : false;

/** A function, as the codec sees one (never sent). */
type AnyFunction = (...args: never[]) => unknown;

/**
 * What a value of type `T` becomes on the wire, as the page receives it: bytes arrive as
 * `Uint8Array`, `toJSON` is applied (a `Date` arrives as a string); a `Map`, `Set`, `BigInt`,
 * function, an object holding a function (a class instance with methods) … is refused by the
 * backend (`not_serializable`), so it types as `never`, and so does `undefined` in an array
 * (docs/types.md, "What arrives").
 */
export type Wire<T> =
  IsAny<T> extends true
    ? any
    : T extends string | number | boolean | null | undefined
      ? T
      : T extends bigint | symbol | AnyFunction
        ? never
        : T extends ArrayBuffer | ArrayBufferView
          ? Uint8Array
          : T extends
                | ReadonlyMap<unknown, unknown>
                | ReadonlySet<unknown>
                | WeakMap<object, unknown>
                | WeakSet<object>
                | RegExp
                | Error
                | PromiseLike<unknown>
            ? never
            : T extends { toJSON(): infer J }
              ? Wire<J>
              : T extends readonly unknown[]
                ? { -readonly [K in keyof T]: WireItem<T[K]> }
                : T extends object
                  ? true extends HasFunction<T>
                    ? never
                    : { [K in keyof T]: Wire<T[K]> }
                  : T;

/** `true` when some property of `T` is a function (a method): the backend refuses such an object. */
type HasFunction<T> = { [K in keyof T]-?: T[K] extends AnyFunction ? true : false }[keyof T];

/** An array item on the wire: never `undefined` (the backend refuses an array holding one). */
type WireItem<T> = T extends undefined ? never : Wire<T>;

/** The phantom `~types` of an app or command; `never` when it has none. */
type PhantomTypes<X> = X extends { readonly "~types"?: infer T } ? NonNullable<T> : never;

/** The types an app declares, from its `App` type or a bare commands record. */
type AppTypesOf<Api> = [PhantomTypes<Api>] extends [never]
  ? AppTypes<Api, EventMap, undefined>
  : PhantomTypes<Api> extends AppTypes<infer C, infer E, infer R>
    ? AppTypes<C, E, R>
    : AppTypes<Api, EventMap, undefined>;

/** The commands of an app, by name. */
type CommandsOf<Api> = AppTypesOf<Api>["commands"];
/** The event map of an app. */
type EventsOf<Api> = AppTypesOf<Api>["events"];

/** The names of an app's commands. */
export type CommandName<Api> = keyof CommandsOf<Api> & string;

/** What one command tells the page: a `defineCommand` result, or a plain handler's parameter and return types. */
type CommandInfo<C> = C extends (...args: infer P) => infer R
  ? CommandTypes<P extends [] ? Record<string, never> : P[0], R, {}, undefined>
  : [PhantomTypes<C>] extends [never]
    ? HandlerTypes<C>
    : PhantomTypes<C> extends CommandTypes<infer I, infer R, infer E, infer N>
      ? CommandTypes<I, R, E, N>
      : HandlerTypes<C>;

/** A command object without phantom types: what its handler takes and returns. */
type HandlerTypes<C> = C extends { handler: (args: infer A, ...rest: never[]) => infer R }
  ? CommandTypes<A, R, {}, undefined>
  : CommandTypes<unknown, unknown, {}, undefined>;

type InfoOf<Api, C extends CommandName<Api>> = CommandInfo<CommandsOf<Api>[C]>;

/** `file_path` → `filePath`. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

/** A backend `Channel<M>` argument becomes the page's `Channel` of what arrives. */
type PageValue<V> = V extends { send(message: infer M): void; close(): void } ? Channel<Wire<M>> : V;

/** The page's side of an args type: channels swapped, keys camelCased when the command renames. */
type PageArgs<Input, Rename> = unknown extends Input
  ? Record<string, unknown>
  : [Rename] extends ["camelCase"]
    ? { [K in keyof Input as K extends string ? Camel<K> : K]: PageValue<Input[K]> }
    : { [K in keyof Input]: PageValue<Input[K]> };

/** The command's `rename`, else the app's. */
type RenameOf<Api, C extends CommandName<Api>> = InfoOf<Api, C>["rename"] extends undefined
  ? AppTypesOf<Api>["rename"]
  : InfoOf<Api, C>["rename"];

/** The argument object a page sends to command `C`. */
export type ArgsOf<Api, C extends CommandName<Api>> = PageArgs<InfoOf<Api, C>["input"], RenameOf<Api, C>>;

/** What command `C` resolves to on the page. */
export type ResultOf<Api, C extends CommandName<Api>> = Wire<Awaited<InfoOf<Api, C>["result"]>>;

/** Every framework kind as its own member, `data` unknown (docs/errors.md). */
type FrameworkErrors<Except> = { [K in Exclude<FrameworkErrorKind, Except>]: FerryError<K> }[Exclude<FrameworkErrorKind, Except>];

/** The declared kinds of a command, each with its `data` type. */
type DeclaredErrors<E> = { [K in keyof E & string]: FerryError<K, Wire<E[K]>> }[keyof E & string];

/**
 * What a call to `C` can reject with, as a union discriminated by `kind`: the kinds the
 * command declares (`defineErrors`), every framework kind (`permission_denied`, `timeout`,
 * `connection_closed` …) and `failed`, a thrown value that is not an `Error`.
 */
export type ErrorOf<Api, C extends CommandName<Api>> = InfoOf<Api, C>["errors"] extends infer E extends ErrorMap
  ? DeclaredErrors<E> | FrameworkErrors<keyof E>
  : FrameworkErrors<never>;

/** A promise whose `catch` and `then` know the rejection type (a `try`/`catch` still sees `unknown`: use `ErrorOf`). */
export interface CallPromise<T, E> extends Promise<T> {
  /** As `Promise.then`, the rejection typed. */
  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: E) => B | PromiseLike<B>) | null,
  ): Promise<A | B>;
  /** As `Promise.catch`, the rejection typed. */
  catch<B = never>(onrejected?: ((reason: E) => B | PromiseLike<B>) | null): Promise<T | B>;
}

/**
 * The arguments after the command name, by command: the args object (optional when every
 * key is) and the call options. A mapped type with an `as` clause, so that `RestOf<Api>[C]`
 * is looked up once `C` is inferred rather than simplified to a type of the unfixed `C`:
 * that keeps a `new Channel((m) => …)` written inside the args typed by the command's channel.
 */
export type RestOf<Api> = {
  [C in CommandName<Api> as C]: {} extends ArgsOf<Api, C>
    ? [args?: ArgsOf<Api, C>, options?: InvokeOptions]
    : [args: ArgsOf<Api, C>, options?: InvokeOptions];
};

/** The names of an app's events. */
export type EventName<Api> = keyof EventsOf<Api> & string;

/** A page `listen`/`once`: the name picks the payload type; an app without an event map takes `listen<T>(name, …)`. */
type PageListen<Events, Extra extends unknown[]> =
  IsUntypedEvents<Events> extends true
    ? <T = unknown>(event: string, handler: EventCallback<T>, ...extra: Extra) => Promise<UnlistenFn>
    : <E extends keyof Events & string>(event: E, handler: EventCallback<Wire<Events[E]>>, ...extra: Extra) => Promise<UnlistenFn>;

/**
 * A client typed by the backend's `App` type (or its commands record), from `client<App>()`,
 * `connect<App>()`, `createClient<App>(…)` or `connectWs<App>(…)`. The same object as an
 * untyped `Client`: only its types differ.
 *
 * @example
 * import type { App } from "../backend";
 * const api = client<App>();
 * const text = await api.invoke("read_file", { path }); // string
 */
export interface TypedClient<Api> {
  /** True once the connection has ended. */
  readonly isClosed: boolean;
  /** `connected`, `reconnecting` or `closed`; see `Client.state`. */
  readonly state: ConnectionState;
  /** Called when `state` changes. */
  onstatechange: ((state: ConnectionState) => void) | undefined;
  /**
   * Calls one of the app's commands: its name, args and result checked. Plugin commands
   * (`plugin:<name>|<cmd>`) go through the untyped `invoke<T>` of `ferry/client`, on the same connection.
   */
  invoke<C extends keyof RestOf<Api> & string>(cmd: C, ...rest: RestOf<Api>[C]): CallPromise<ResultOf<Api, C>, ErrorOf<Api, C>>;
  /** Listens to one of the app's events; see `Client.listen`. */
  readonly listen: PageListen<EventsOf<Api>, [options?: ListenOptions]>;
  /** Listens to the next occurrence of an event only. */
  readonly once: PageListen<EventsOf<Api>, []>;
  /** Emits one of the app's events, its payload checked. */
  emit<E extends keyof EventsOf<Api> & string>(event: E, ...payload: PayloadRest<EventsOf<Api>, E>): Promise<void>;
  /** Emits one of the app's events to the windows with the given label only. */
  emitTo<E extends keyof EventsOf<Api> & string>(target: EventTarget, event: E, ...payload: PayloadRest<EventsOf<Api>, E>): Promise<void>;
  /** Removes the listener with this id; see `Client.removeListener`. */
  removeListener(event: string, id: number): void;
  /** Closes the connection. */
  close(): void;
}

/** The client a `client<Api>()`-style factory returns: untyped `Client` unless given an app type. */
export type ClientOf<Api> = unknown extends Api ? Client : TypedClient<Api>;

/** The event names a page may listen to: the app's, or any name for an app without an event map. */
export type ListenName<Api> = IsUntypedEvents<EventsOf<Api>> extends true ? string : EventName<Api>;

/** The payload a page receives for event `E` (`unknown` for an app without an event map). */
export type PayloadOf<Api, E extends string> =
  IsUntypedEvents<EventsOf<Api>> extends true ? unknown : E extends keyof EventsOf<Api> ? Wire<EventsOf<Api>[E]> : never;
