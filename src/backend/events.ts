/**
 * The event bus: which connection listens to what, and backend listeners.
 *
 * An emit encodes its payload once; each connection that listens gets one message listing
 * its handler ids, so a payload is never serialized per listener and never sent where
 * nobody listens.
 */

import { encodeValue, frameMessage } from "../protocol/codec.ts";
import { assertEventName } from "../protocol/names.ts";
import type { Connection } from "./connection.ts";

/** An event as backend listeners receive it. */
export interface BackendEvent<T = unknown> {
  event: string;
  payload: T;
  /** Label of the window that emitted it; absent when the backend emitted it. */
  window?: string;
}

/** A backend listener (`app.listen`): called with each event, from pages and from the backend. */
export type BackendListener<T = unknown> = (event: BackendEvent<T>) => void;

/** A predicate over window labels, for `emitFilter`. */
export type WindowFilter = (label: string) => boolean;

/** Page and backend listeners by event name; `dispatch` delivers one emit. */
export class EventBus {
  /** event name → connection → that connection's handler ids for it */
  private readonly pages = new Map<string, Map<Connection, Set<number>>>();
  private readonly backend = new Map<string, Set<BackendListener>>();
  private readonly onListenerError: (err: unknown, event: string) => void;

  constructor(onListenerError: (err: unknown, event: string) => void) {
    this.onListenerError = onListenerError;
  }

  /** Registers a page handler for `event` (the connection checks its ids are unique). */
  addPageListener(conn: Connection, event: string, handler: number): void {
    assertEventName(event);
    let byConn = this.pages.get(event);
    if (!byConn) this.pages.set(event, (byConn = new Map()));
    let ids = byConn.get(conn);
    if (!ids) byConn.set(conn, (ids = new Set()));
    ids.add(handler);
  }

  removePageListener(conn: Connection, event: string, handler: number): boolean {
    const byConn = this.pages.get(event);
    const ids = byConn?.get(conn);
    if (!byConn || !ids?.delete(handler)) return false;
    if (ids.size === 0) byConn.delete(conn);
    if (byConn.size === 0) this.pages.delete(event);
    return true;
  }

  /** Drops every page listener of a closed connection. */
  removeConnection(conn: Connection, events: Iterable<string>): void {
    for (const event of events) {
      const byConn = this.pages.get(event);
      if (!byConn) continue;
      byConn.delete(conn);
      if (byConn.size === 0) this.pages.delete(event);
    }
  }

  /** Number of page handlers for `event` (all events when omitted). */
  pageListenerCount(event?: string): number {
    let n = 0;
    for (const [name, byConn] of this.pages) {
      if (event !== undefined && name !== event) continue;
      for (const ids of byConn.values()) n += ids.size;
    }
    return n;
  }

  addBackendListener(event: string, listener: BackendListener): () => void {
    assertEventName(event);
    let set = this.backend.get(event);
    if (!set) this.backend.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.backend.get(event) === set) this.backend.delete(event);
    };
  }

  /**
   * Delivers an event to the pages whose label passes `filter` (all when omitted; none
   * when `pages` is false) and, when `toBackend`, to backend listeners. Throws before sending anything when the name
   * or payload is invalid.
   */
  dispatch(event: string, payload: unknown, opts: { filter?: WindowFilter; pages?: false; toBackend: boolean; source?: string }): void {
    assertEventName(event);
    const byConn = opts.pages === false ? undefined : this.pages.get(event);
    if (byConn && byConn.size > 0) {
      const encoded = encodeValue(payload, "payload");
      const head = `{"t":"e","n":${JSON.stringify(event)},"h":[`;
      for (const [conn, ids] of byConn) {
        if (opts.filter && !opts.filter(conn.label)) continue;
        const list = [...ids];
        conn.enqueueEvent(frameMessage(`${head}${list.join(",")}]`, "p", encoded), list);
      }
    }
    if (opts.toBackend) {
      const listeners = this.backend.get(event);
      if (!listeners) return;
      const e: BackendEvent = opts.source === undefined ? { event, payload } : { event, payload, window: opts.source };
      for (const listener of [...listeners]) {
        try {
          listener(e);
        } catch (err) {
          this.onListenerError(err, event);
        }
      }
    }
  }
}
