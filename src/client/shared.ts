/**
 * The page's one ferry client module. The served bundles (`/__ferry/client.js`, and
 * `/__ferry/tauri.js`, which carries its own copy so it can run as a classic script) each
 * hold the client's code; the first one a page runs registers its module here and the others
 * use it, so a page keeps one connection, one channel registry and one `FerryError` class.
 * In an app's own bundle there is only one copy, and this is simply that module.
 */

import {
  Channel,
  Client,
  client,
  connect,
  createClient,
  emit,
  emitTo,
  FerryError,
  FRAMEWORK_ERROR_KINDS,
  invoke,
  listen,
  once,
} from "./index.ts";

/** This copy's module, as the names `browser-client.ts` re-exports. */
const own = { Channel, Client, createClient, FerryError, FRAMEWORK_ERROR_KINDS, connect, client, invoke, listen, once, emit, emitTo };

const SLOT = Symbol.for("ferry.client.module");

/** The ferry client module this page shares (the first one loaded). */
export const ferry: typeof own = ((globalThis as Record<symbol, unknown>)[SLOT] ??= own) as typeof own;
