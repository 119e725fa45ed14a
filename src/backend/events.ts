/**
 * The event bus: which connection listens to what, and backend listeners.
 *
 * An emit encodes its payload once; each connection that listens gets one message listing
 * its handler ids, so a payload is never serialized per listener and never sent where
 * nobody listens.
 */

import { Buffer } from "node:buffer";
import { frameMessage } from "../protocol/codec.ts";
import { encodeSendable } from "../protocol/sendable.ts";
import { assertEventName } from "../protocol/names.ts";
import type { Connection } from "./connection.ts";
import type { EventText } from "./event-queue.ts";

/** One connection's handlers for one event: targets by handler id, and the ids as an array (made again when they change). */
interface Handlers {
  targets: Map<number, ListenerTarget>;
  ids: readonly number[];
}

/**
 * One event's page listeners by connection, with the start of its event message: built
 * once, when its first page listener arrives (the name was checked then), not per emit.
 */
class PageListeners extends Map<Connection, Handlers> {
  readonly head: string;
  readonly headBytes: number;
  constructor(event: string) {
    super();
    this.head = `{"t":"e","n":${JSON.stringify(event)},"h":[`;
    this.headBytes = Buffer.byteLength(this.head);
  }
}

/** The event map of an app that declares none: any name, any payload. */
export type AnyEvents = Record<string, unknown>;

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

/** Tauri's target kinds that carry a window label. */
export type LabelledTargetKind = "AnyLabel" | "Window" | "Webview" | "WebviewWindow";

/**
 * What a page listener hears, in Tauri's terms (`EventTarget`). `undefined` is ferry's own
 * default (the ferry client sends no target): its window — every broadcast and every event
 * for its label, nothing sent to another window.
 */
export type ListenerTarget = { kind: "Any" } | { kind: "App" } | { kind: LabelledTargetKind; label: string } | undefined;

/** Whom an emit is for: everyone (`undefined`), the app, a label (Tauri's kinds), or a label predicate. */
export type EmitTarget =
  undefined | { kind: "App" } | { kind: LabelledTargetKind; label: string } | { kind: "Filter"; filter: WindowFilter };

/**
 * Tauri's delivery rule for one page listener (on a window labelled `windowLabel`):
 * - an emit to everyone reaches every listener;
 * - an `Any` listener hears every event, whatever it was emitted to ("Any and all event targets");
 * - a listener for a label hears emits to that label; `AnyLabel` on either side matches
 *   any kind, other kinds must be equal (`Window` ≠ `WebviewWindow`);
 * - an `App` listener hears emits to the app;
 * - ferry's default listener hears emits to its own window's label.
 */
export function hears(listener: ListenerTarget, windowLabel: string, to: EmitTarget): boolean {
  if (to === undefined || listener?.kind === "Any") return true;
  if (to.kind === "App") return listener?.kind === "App";
  if (listener?.kind === "App") return false;
  const label = listener === undefined ? windowLabel : listener.label;
  if (to.kind === "Filter") return to.filter(label);
  return (
    label === to.label && (listener === undefined || listener.kind === "AnyLabel" || to.kind === "AnyLabel" || listener.kind === to.kind)
  );
}

/** Page and backend listeners by event name; `dispatch` delivers one emit. */
export class EventBus {
  /** event name → connection → that connection's handler ids for it, with their targets */
  private readonly pages = new Map<string, PageListeners>();
  private readonly backend = new Map<string, Set<BackendListener>>();
  private readonly onListenerError: (err: unknown, event: string) => void;

  constructor(onListenerError: (err: unknown, event: string) => void) {
    this.onListenerError = onListenerError;
  }

  /** Registers a page handler for `event` (the connection checks its ids are unique). */
  addPageListener(conn: Connection, event: string, handler: number, target?: ListenerTarget): void {
    assertEventName(event);
    let byConn = this.pages.get(event);
    if (!byConn) this.pages.set(event, (byConn = new PageListeners(event)));
    let handlers = byConn.get(conn);
    if (!handlers) byConn.set(conn, (handlers = { targets: new Map(), ids: [] }));
    handlers.targets.set(handler, target);
    handlers.ids = [...handlers.targets.keys()];
  }

  /** Number of `conn`'s handlers for `event`. */
  pageListenersOf(conn: Connection, event: string): number {
    return this.pages.get(event)?.get(conn)?.targets.size ?? 0;
  }

  removePageListener(conn: Connection, event: string, handler: number): boolean {
    const byConn = this.pages.get(event);
    const handlers = byConn?.get(conn);
    if (!byConn || !handlers?.targets.delete(handler)) return false;
    handlers.ids = [...handlers.targets.keys()];
    if (handlers.ids.length === 0) byConn.delete(conn);
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
  pageListenerCount(event?: string, label?: string): number {
    let n = 0;
    for (const [name, byConn] of this.pages) {
      if (event !== undefined && name !== event) continue;
      for (const [conn, handlers] of byConn) if (label === undefined || conn.label === label) n += handlers.ids.length;
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
   * Delivers an event to the page listeners that hear it (`hears`: all of them when `to` is
   * omitted) and, when `toBackend`, to backend listeners. Throws before sending anything
   * when the name or payload is invalid. The payload is encoded once; returns its size in
   * bytes (0 when no page listens, as it is then not encoded).
   */
  dispatch(event: string, payload: unknown, opts: { to?: EmitTarget; toBackend: boolean; source?: string }): number {
    const byConn = this.pages.get(event);
    // A name with page or backend listeners was checked when they were added.
    if (byConn === undefined && !this.backend.has(event)) assertEventName(event);
    let size = 0;
    if (byConn && byConn.size > 0) {
      const encoded = encodeSendable(payload, "payload");
      size = encoded.json.length + encoded.bytes.reduce((n, b) => n + b.data.byteLength, 0);
      const head = byConn.head;
      // A text event is written by each connection from the same strings, its handler ids between them.
      const text: EventText | undefined =
        encoded.bytes.length === 0 ? { head, json: encoded.json, bytes: byConn.headBytes + Buffer.byteLength(encoded.json) } : undefined;
      for (const [conn, handlers] of byConn) {
        const heard =
          opts.to === undefined ? handlers.ids : [...handlers.targets].filter(([, t]) => hears(t, conn.label, opts.to)).map(([id]) => id);
        if (heard.length === 0) continue;
        conn.enqueueEvent(text ?? frameMessage(`${head}${heard.join(",")}]`, "p", encoded), heard);
      }
    }
    if (opts.toBackend) {
      const listeners = this.backend.get(event);
      if (!listeners) return size;
      const e: BackendEvent = opts.source === undefined ? { event, payload } : { event, payload, window: opts.source };
      for (const listener of [...listeners]) {
        try {
          listener(e);
        } catch (err) {
          this.onListenerError(err, event);
        }
      }
    }
    return size;
  }
}
