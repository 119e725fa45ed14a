/**
 * `ferry/client/dev` (served as `/__ferry/dev.js`): the page's dev-mode checks for the
 * tutorial's third and fourth gotchas. Import it once, for its effect, in dev builds only
 * (`ferry dev` does); the client itself carries none of this, so production pages pay
 * nothing. It warns on the console when
 * - the same handler function is registered twice for one event (each emit calls it twice);
 * - a page's listeners for one event reach 10, 20, 40 … (a component that listens on every
 *   render and never unlistens), naming the event and the count.
 *
 * And it refuses, as the backend does for what it sends, the page's own `invoke` arguments
 * and `emit` / `emitTo` payloads that JSON would change without a word: `undefined` in an
 * array and a class instance without `toJSON` (the call rejects with `not_serializable`
 * naming the path, e.g. `args.tags[1]`). A top-level `Blob`, `File` or `ReadableStream`
 * argument (an upload, `ferry/client/upload`) is left to the upload module.
 *
 * @example
 * if (import.meta.env.DEV) await import("ferry/client/dev");
 */

import { Client, type EventCallback, type EventTarget, type InvokeOptions, type ListenOptions } from "./core.ts";
import { assertSendable } from "../protocol/sendable.ts";
import { isUpload } from "./upload-arg.ts";

/** The first count warned about; then each doubling. */
export const GROWTH_THRESHOLD = 10;

interface Listeners {
  /** event → handler function → how many of this page's listeners use it */
  byEvent: Map<string, Map<unknown, number>>;
  /** listener id → its event and handler */
  byId: Map<number, { event: string; fn: unknown }>;
  /** event → the count last warned about */
  warned: Map<string, number>;
}

const tracked = new WeakMap<Client, Listeners>();

const listenersOf = (client: Client): Listeners => {
  let l = tracked.get(client);
  if (!l) tracked.set(client, (l = { byEvent: new Map(), byId: new Map(), warned: new Map() }));
  return l;
};

const total = (fns: Map<unknown, number>): number => [...fns.values()].reduce((a, b) => a + b, 0);

/** Counts a new listener and says what is suspicious about it. */
function added(client: Client, id: number, event: string, fn: unknown): void {
  const l = listenersOf(client);
  let fns = l.byEvent.get(event);
  if (!fns) l.byEvent.set(event, (fns = new Map()));
  const same = (fns.get(fn) ?? 0) + 1;
  fns.set(fn, same);
  l.byId.set(id, { event, fn });
  const count = total(fns);
  if (same === 2) {
    console.warn(
      `ferry: the same handler is registered twice for "${event}" (this page now has ${count} listeners for it): ` +
        `each "${event}" calls it twice. Keep the function listen() resolved to and call it before listening again.`,
    );
  }
  const last = l.warned.get(event) ?? GROWTH_THRESHOLD / 2;
  if (count >= last * 2) {
    l.warned.set(event, count);
    console.warn(
      `ferry: this page has ${count} listeners for "${event}" and the count keeps growing: ` +
        `a component that listens on every render and never calls the unlisten function? (useListen in ferry/react and ferry/vue cleans up)`,
    );
  }
}

function removed(client: Client, id: number): void {
  const l = tracked.get(client);
  const entry = l?.byId.get(id);
  if (!l || !entry) return;
  l.byId.delete(id);
  const fns = l.byEvent.get(entry.event)!;
  const n = fns.get(entry.fn)! - 1;
  if (n > 0) fns.set(entry.fn, n);
  else fns.delete(entry.fn);
  // A count that went down and grows again is a new leak: warn again from the start.
  if (fns.size === 0) [l.byEvent, l.warned].forEach((m) => m.delete(entry.event));
}

const proto = Client.prototype;
const addListener = proto.addListener;
const removeListener = proto.removeListener;
const close = proto.close;
const invoke = proto.invoke;
const emit = proto.emit;
const emitTo = proto.emitTo;

/** `run()` when `value` passes the stricter check, else a rejection with its `not_serializable`. */
function checked<T>(value: unknown, root: string, run: () => Promise<T>): Promise<T> {
  try {
    assertSendable(value, root);
  } catch (err) {
    return Promise.reject(err);
  }
  return run();
}

proto.addListener = async function (this: Client, event: string, handler: EventCallback<any>, options?: ListenOptions) {
  const id = await addListener.call(this, event, handler, options);
  added(this, id, event, handler);
  return id;
};

proto.removeListener = function (this: Client, event, id) {
  removed(this, id);
  removeListener.call(this, event, id);
};

proto.invoke = function <T>(this: Client, cmd: string, args?: Record<string, unknown>, options?: InvokeOptions): Promise<T> {
  // Uploads are top-level arguments the upload module replaces; the rest is checked as sent.
  let sent: Record<string, unknown> | undefined = args;
  if (args && typeof args === "object" && Object.values(args).some(isUpload)) {
    sent = Object.fromEntries(Object.entries(args).filter(([, v]) => !isUpload(v)));
  }
  return checked(sent, "args", () => invoke.call(this, cmd, args, options) as Promise<T>);
};

proto.emit = function (this: Client, event: string, payload?: unknown) {
  return checked(payload, "payload", () => emit.call(this, event, payload));
};

proto.emitTo = function (this: Client, target: EventTarget, event: string, payload?: unknown) {
  return checked(payload, "payload", () => emitTo.call(this, target, event, payload));
};

proto.close = function (this: Client) {
  tracked.delete(this);
  close.call(this);
};
