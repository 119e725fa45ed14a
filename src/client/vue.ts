/**
 * `ferry/vue`: the composables `useListen` and `useInvoke`, which clean up when the
 * component's scope ends (unmount). Vue is an optional peer dependency of ferry.
 * `createComposables<App>()` gives the same composables typed by the backend's `App` type
 * (docs/frameworks.md).
 *
 * @example
 * import { createComposables } from "ferry/vue";
 * import type { App } from "../backend";
 * const { useInvoke, useListen } = createComposables<App>();
 *
 * // in setup():
 * const verbose = ref(false);
 * const { data, error, loading } = useInvoke("status", () => ({ verbose: verbose.value }));
 * useListen("job-progress", (e) => console.log(e.payload));
 */

import { ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref, type ShallowRef } from "vue";
import type { EventCallback } from "./core.ts";
import { argsKey, invokeUntilCancelled, listenUntilStopped, resolveClient, type ClientSource } from "./hooks.ts";
import type { CommandName, ErrorOf, ListenName, PayloadOf, RestOf, ResultOf } from "./types.ts";
import type { FerryError } from "../protocol/errors.ts";

export type { ClientSource } from "./hooks.ts";

/** What `useInvoke` returns: refs of the call's state, and `refresh`. */
export interface InvokeRefs<T, E> {
  /** The last result; kept while a new call for changed args is in flight. */
  data: ShallowRef<T | undefined>;
  /** Why the last call failed (`undefined` after a success). */
  error: ShallowRef<E | undefined>;
  /** True while a call is in flight. */
  loading: Ref<boolean>;
  /** Calls the command again (the call in flight, if any, is cancelled). */
  refresh(): void;
}

/** The composables, typed by an app (`createComposables<App>()`) or untyped (`unknown`). */
export interface Composables<Api> {
  /**
   * Listens to `event` (a string, ref or getter) until the component unmounts; when `event`
   * changes the old listener is removed and a new one added.
   */
  useListen<E extends ListenName<Api>>(event: MaybeRefOrGetter<E>, handler: EventCallback<PayloadOf<Api, E>>): void;
  /**
   * Calls `cmd` now and again whenever the content of `args` (an object, ref or getter)
   * changes. The call in flight is cancelled (its handler's `signal` fires) on unmount and
   * when the args change.
   */
  useInvoke: unknown extends Api
    ? <T = unknown>(cmd: string, args?: MaybeRefOrGetter<Record<string, unknown> | undefined>) => InvokeRefs<T, FerryError>
    : <C extends CommandName<Api> & keyof RestOf<Api>>(
        cmd: C,
        ...args: ComposableArgs<RestOf<Api>[C]>
      ) => InvokeRefs<ResultOf<Api, C>, ErrorOf<Api, C>>;
}

/** The args of `invoke`, each as a value, ref or getter, without the call options. */
type ComposableArgs<Rest> = Rest extends [args?: infer A, options?: unknown]
  ? [undefined] extends [Rest[0]]
    ? [args?: MaybeRefOrGetter<A>]
    : [args: MaybeRefOrGetter<A>]
  : never;

/**
 * The composables over a client: `createComposables<App>()` types them by the backend's
 * `App` type; the default client is the page's shared `client()`, opened on first use.
 */
export function createComposables<Api = unknown>(source?: ClientSource<Api>): Composables<Api> {
  function useListen(event: MaybeRefOrGetter<string>, handler: EventCallback<any>): void {
    watch(
      () => toValue(event),
      (name, _old, onCleanup) => onCleanup(listenUntilStopped(resolveClient(source), name, (e) => handler(e))),
      { immediate: true },
    );
  }

  function useInvoke(cmd: string, args?: MaybeRefOrGetter<Record<string, unknown> | undefined>): InvokeRefs<unknown, unknown> {
    const data = shallowRef<unknown>();
    const error = shallowRef<unknown>();
    const loading = ref(true);
    const round = ref(0);
    watch(
      () => [argsKey(toValue(args)), round.value],
      (_now, _old, onCleanup) => {
        loading.value = true;
        const cancel = invokeUntilCancelled(resolveClient(source), cmd, toValue(args), (ok, value) => {
          if (ok) [data.value, error.value] = [value, undefined];
          else error.value = value;
          loading.value = false;
        });
        onCleanup(cancel);
      },
      { immediate: true },
    );
    return { data, error, loading, refresh: () => void round.value++ };
  }

  return { useListen, useInvoke } as unknown as Composables<Api>;
}

const untyped = createComposables();

/** Listens to an event until the component unmounts (untyped; `createComposables<App>()` for typed ones). */
export const useListen = untyped.useListen as <T = unknown>(event: MaybeRefOrGetter<string>, handler: EventCallback<T>) => void;

/** Calls a command now and when its args change, cancelled on unmount (untyped; see `createComposables`). */
export const useInvoke: <T = unknown>(
  cmd: string,
  args?: MaybeRefOrGetter<Record<string, unknown> | undefined>,
) => InvokeRefs<T, FerryError> = untyped.useInvoke;
