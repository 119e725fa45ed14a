/**
 * `ferry/react`: `useListen` and `useInvoke`, which clean up when the component unmounts.
 * React is an optional peer dependency of ferry. `createHooks<App>()` gives the same hooks
 * typed by the backend's `App` type (docs/frameworks.md).
 *
 * @example
 * import { createHooks } from "ferry/react";
 * import type { App } from "../backend";
 * const { useInvoke, useListen } = createHooks<App>();
 *
 * function Status() {
 *   const { data, error, loading } = useInvoke("status", { verbose: true });
 *   useListen("job-progress", (e) => console.log(e.payload));
 *   return loading ? "…" : error ? error.message : data;
 * }
 */

import { useEffect, useRef, useState } from "react";
import type { EventCallback } from "./core.ts";
import { argsKey, invokeUntilCancelled, listenUntilStopped, resolveClient, type ClientSource, type InvokeState } from "./hooks.ts";
import type { CommandName, ErrorOf, ListenName, PayloadOf, RestOf, ResultOf } from "./types.ts";
import type { FerryError } from "../protocol/errors.ts";

export type { ClientSource, InvokeState } from "./hooks.ts";

/** What `useInvoke` returns: the call's state and `refresh`, which calls again with the same args. */
export interface InvokeResult<T, E> extends InvokeState<T, E> {
  /** Calls the command again (the call in flight, if any, is cancelled). */
  refresh(): void;
}

/** The hooks, typed by an app (`createHooks<App>()`) or untyped (`unknown`). */
export interface Hooks<Api> {
  /**
   * Listens to `event` while the component is mounted; the listener is removed on unmount
   * (or when `event` changes). The latest `handler` is called, so it may be a new function
   * each render without registering again.
   */
  useListen<E extends ListenName<Api>>(event: E, handler: EventCallback<PayloadOf<Api, E>>): void;
  /**
   * Calls `cmd` when the component mounts and again when the args' content changes. The call
   * in flight is cancelled (its handler's `signal` fires) on unmount and when the args change.
   */
  useInvoke: unknown extends Api
    ? <T = unknown>(cmd: string, args?: Record<string, unknown>) => InvokeResult<T, FerryError>
    : <C extends CommandName<Api> & keyof RestOf<Api>>(
        cmd: C,
        ...args: HookArgs<RestOf<Api>[C]>
      ) => InvokeResult<ResultOf<Api, C>, ErrorOf<Api, C>>;
}

/** The args of `invoke` without its call options (a hook's calls are cancelled by the hook). */
type HookArgs<Rest> = Rest extends [args?: infer A, options?: unknown] ? ([undefined] extends [Rest[0]] ? [args?: A] : [args: A]) : never;

/**
 * The hooks over a client: `createHooks<App>()` types them by the backend's `App` type; the
 * default client is the page's shared `client()`, opened on first use.
 */
export function createHooks<Api = unknown>(source?: ClientSource<Api>): Hooks<Api> {
  function useListen(event: string, handler: EventCallback<any>): void {
    const latest = useRef(handler);
    latest.current = handler;
    useEffect(() => listenUntilStopped(resolveClient(source), event, (e) => latest.current(e)), [event]);
  }

  function useInvoke(cmd: string, args?: Record<string, unknown>): InvokeResult<unknown, unknown> {
    const [state, setState] = useState<InvokeState<unknown, unknown>>({ data: undefined, error: undefined, loading: true });
    const [round, setRound] = useState(0);
    const latestArgs = useRef(args);
    latestArgs.current = args;
    const key = argsKey(args);
    useEffect(() => {
      setState((s) => (s.loading ? s : { ...s, loading: true }));
      return invokeUntilCancelled(resolveClient(source), cmd, latestArgs.current, (ok, value) =>
        setState((s) => (ok ? { data: value, error: undefined, loading: false } : { data: s.data, error: value, loading: false })),
      );
    }, [cmd, key, round]);
    return { ...state, refresh: () => setRound((n) => n + 1) };
  }

  return { useListen, useInvoke } as unknown as Hooks<Api>;
}

const untyped = createHooks();

/** Listens to an event while the component is mounted (untyped; `createHooks<App>()` for typed hooks). */
export const useListen = untyped.useListen as <T = unknown>(event: string, handler: EventCallback<T>) => void;

/** Calls a command on mount and when its args change, cancelled on unmount (untyped; see `createHooks`). */
export const useInvoke: <T = unknown>(cmd: string, args?: Record<string, unknown>) => InvokeResult<T, FerryError> = untyped.useInvoke;
