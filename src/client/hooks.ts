/**
 * What `ferry/react` and `ferry/vue` share: a listener that can be stopped before the backend
 * has confirmed it, a call that can be abandoned, and the types of their state. Framework-free.
 */

import type { Client, EventCallback, UnlistenFn } from "./core.ts";
import { client } from "./index.ts";
import type { ClientOf } from "./types.ts";

/** The state of a `useInvoke` call. */
export interface InvokeState<T, E> {
  /** The last result; kept while a new call for changed args is in flight. */
  data: T | undefined;
  /** Why the last call failed (`undefined` after a success). */
  error: E | undefined;
  /** True while a call is in flight. */
  loading: boolean;
}

/** Where hooks get their client: a client, or a function returning one (default: the page's shared `client()`). */
export type ClientSource<Api> = ClientOf<Api> | (() => ClientOf<Api>);

/** The untyped client behind a source (typed and untyped clients are one object). */
export const resolveClient = (source: unknown): Client =>
  (typeof source === "function" ? (source as () => unknown)() : (source ?? client())) as Client;

/** Reports an error no caller can catch as uncaught, as the client does. */
const report = (err: unknown): void => ((globalThis as { reportError?: (e: unknown) => void }).reportError ?? console.error)(err);

/**
 * Listens and returns the stop function at once: stopping before the backend has confirmed
 * the listener removes it as soon as it is confirmed, so a component that mounts and unmounts
 * fast leaves none behind.
 */
export function listenUntilStopped(c: Client, event: string, handler: EventCallback<any>): () => void {
  let off: UnlistenFn | undefined;
  let stopped = false;
  c.listen(event, handler).then((unlisten) => (stopped ? unlisten() : (off = unlisten)), report);
  return () => {
    stopped = true;
    off?.();
  };
}

/**
 * Calls a command and reports its outcome to `done`, unless the returned function was called
 * first: that aborts the call (the handler's `signal` fires) and nothing is reported.
 */
export function invokeUntilCancelled(
  c: Client,
  cmd: string,
  args: Record<string, unknown> | undefined,
  done: (ok: boolean, value: unknown) => void,
): () => void {
  const controller = new AbortController();
  const settle = (ok: boolean) => (value: unknown) => {
    if (!controller.signal.aborted) done(ok, value);
  };
  c.invoke(cmd, args, { signal: controller.signal }).then(settle(true), settle(false));
  return () => controller.abort();
}

/** A key that changes when the args' content does (channels key by id), so a re-render with equal args does not call again. */
export const argsKey = (args: unknown): string => JSON.stringify(args) ?? "";
