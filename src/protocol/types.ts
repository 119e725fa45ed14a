/**
 * The types a backend declares for typed clients, shared by backend and page. Type-only:
 * nothing here exists at run time, so a typed page costs no bytes (docs/types.md).
 *
 * The backend's commands and app carry these as an optional phantom `~types` member (the
 * way Standard Schema carries `~standard.types`); the page reads them from a type it
 * imports with `import type`, so no backend code reaches the page.
 */

/** Event name → payload type, as declared with `defineEvents`. */
export type EventMap = Record<string, unknown>;

/** Error kind → `data` type, as declared with `defineErrors`. */
export type ErrorMap = Record<string, unknown>;

/** A type declared for typed clients with nothing behind it at run time (`defineEvents`, `defineErrors`). */
export interface Declared<T> {
  /** Never set: the type is all there is. */
  readonly "~declared"?: T;
}

/** What a command tells typed clients. `Rename` is its own `rename` option, `undefined` for the app's. */
export interface CommandTypes<Input, Result, Errors, Rename> {
  input: Input;
  result: Result;
  errors: Errors;
  rename: Rename;
}

/** What an app tells typed clients: its commands, its event map and its `rename` option. */
export interface AppTypes<Commands, Events, Rename> {
  commands: Commands;
  events: Events;
  rename: Rename;
}

/** True when `Events` declares no names of its own (the untyped default, `Record<string, unknown>`). */
export type IsUntypedEvents<Events> = string extends keyof Events ? true : false;

/** The rest parameters that carry an event's payload: optional when the payload may be `undefined`. */
export type PayloadRest<Events, E extends keyof Events> = undefined extends Events[E] ? [payload?: Events[E]] : [payload: Events[E]];
