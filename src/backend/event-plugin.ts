/**
 * The built-in `event` plugin: how pages listen and emit. `listen()` on the page is
 * `invoke("plugin:event|listen")`, as in Tauri, so events obey the same access rules
 * as commands. Its access manifest lives here, once; the capabilities layer reads it.
 */

import { FerryError } from "../protocol/errors.ts";
import { assertEventName } from "../protocol/names.ts";
import type { PermissionManifest } from "../acl/types.ts";
import type { Plugin } from "./app.ts";
import type { EventBus, WindowFilter } from "./events.ts";

/** The event plugin's commands, as capabilities name them (`core:event:allow-listen` …). */
export const EVENT_COMMANDS = ["listen", "unlisten", "emit", "emit_to"] as const;

/** The event plugin's permissions: its default grants all four commands. */
export const EVENT_PERMISSIONS: PermissionManifest = {
  default: { description: "Listen to and emit events.", permissions: ["allow-listen", "allow-unlisten", "allow-emit", "allow-emit-to"] },
};

function handlerId(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new FerryError("invalid_args", `${what} must be a non-negative integer`);
  }
  return v;
}

/**
 * Reads an emit target: a label, or Tauri's `{ kind, label }` forms. `"all"` is every
 * window and the backend; `"app"` the backend's listeners only. Stricter than Tauri: an
 * event for a label reaches only the windows with that label, never other windows'
 * `Any` listeners.
 */
export function targetFilter(target: unknown): WindowFilter | "all" | "app" {
  if (typeof target === "string") return (label) => label === target;
  if (typeof target === "object" && target !== null) {
    const t = target as { kind?: unknown; label?: unknown };
    if (t.kind === "Any") return "all";
    if (t.kind === "App") return "app";
    if (
      (t.kind === "AnyLabel" || t.kind === "Window" || t.kind === "Webview" || t.kind === "WebviewWindow") &&
      typeof t.label === "string"
    ) {
      const label = t.label;
      return (l) => l === label;
    }
  }
  throw new FerryError("invalid_args", "target must be a window label or { kind, label }");
}

/** Built into every app: `plugin:event|listen`, `unlisten`, `emit`, `emit_to`, over the app's bus. */
export function eventPlugin(bus: EventBus): Plugin {
  return {
    name: "event",
    permissions: EVENT_PERMISSIONS,
    commands: {
      /**
       * `{ event, target?, handler }` → the listener's id (the page's handler id). The target
       * is checked but, unlike Tauri, does not narrow delivery: a window's listeners get the
       * events emitted to every window and to its own label.
       */
      listen(args: { event?: unknown; target?: unknown; handler?: unknown }, ctx) {
        assertEventName(args.event);
        if (args.target !== undefined) targetFilter(args.target);
        const id = handlerId(args.handler, "handler");
        ctx.connection.listen(args.event, id);
        return id;
      },
      unlisten(args: { event?: unknown; eventId?: unknown }, ctx) {
        ctx.connection.unlisten(handlerId(args.eventId, "eventId"));
        return null;
      },
      emit(args: { event?: unknown; payload?: unknown }, ctx) {
        assertEventName(args.event);
        ctx.app.emitFrom(ctx.window, args.event, args.payload);
        return null;
      },
      emit_to(args: { target?: unknown; event?: unknown; payload?: unknown }, ctx) {
        assertEventName(args.event);
        const filter = targetFilter(args.target);
        if (filter === "all") ctx.app.emitFrom(ctx.window, args.event, args.payload);
        // Backend listeners only: the one target the app's public emits do not offer.
        else if (filter === "app") bus.dispatch(args.event, args.payload, { pages: false, toBackend: true, source: ctx.window });
        else ctx.app.emitFilter(args.event, args.payload, filter);
        return null;
      },
    },
  };
}
