/**
 * The built-in `event` plugin: how pages listen and emit. `listen()` on the page is
 * `invoke("plugin:event|listen")`, as in Tauri, so events obey the same access rules
 * as commands. Its access manifest lives here, once; the capabilities layer reads it.
 */

import { FerryError } from "../protocol/errors.ts";
import { assertEventName } from "../protocol/names.ts";
import type { PermissionManifest } from "../acl/types.ts";
import type { AppInternals, Plugin, PluginContext } from "./app.ts";
import type { Connection } from "./connection.ts";
import type { EventBus, LabelledTargetKind, ListenerTarget } from "./events.ts";

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

const LABELLED = new Set(["AnyLabel", "Window", "Webview", "WebviewWindow"]);

/**
 * Reads a Tauri target (`listen`'s and `emit_to`'s): a label (Tauri's `AnyLabel`), or
 * `{ kind: "Any" | "App" }`, or `{ kind: "AnyLabel" | "Window" | "Webview" | "WebviewWindow", label }`.
 */
export function readTarget(target: unknown): Exclude<ListenerTarget, undefined> {
  if (typeof target === "string") return { kind: "AnyLabel", label: target };
  if (typeof target === "object" && target !== null) {
    const t = target as { kind?: unknown; label?: unknown };
    if (t.kind === "Any" || t.kind === "App") return { kind: t.kind };
    if (typeof t.kind === "string" && LABELLED.has(t.kind) && typeof t.label === "string") {
      return { kind: t.kind as LabelledTargetKind, label: t.label };
    }
  }
  throw new FerryError(
    "invalid_args",
    'target must be a window label or { kind: "Any" | "App" | "AnyLabel" | "Window" | "Webview" | "WebviewWindow", label }',
  );
}

/** Built into every app: `plugin:event|listen`, `unlisten`, `emit`, `emit_to`, over the app's bus. */
export function eventPlugin(bus: EventBus): Plugin {
  return {
    name: "event",
    permissions: EVENT_PERMISSIONS,
    commands: {
      /**
       * `{ event, target?, handler }` → the listener's id (the page's handler id). The target
       * decides what it hears by Tauri's rules (`hears` in events.ts); without one (the ferry
       * client's default) it hears broadcasts and events for its own window.
       */
      listen(args: { event?: unknown; target?: unknown; handler?: unknown }, ctx) {
        assertEventName(args.event);
        const target = args.target === undefined ? undefined : readTarget(args.target);
        const id = handlerId(args.handler, "handler");
        ctx.connection.listen(args.event, id, target);
        if (ctx.app.dev) warnIfGrowing(bus, ctx, args.event);
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
        const to = readTarget(args.target);
        if (to.kind === "Any") ctx.app.emitFrom(ctx.window, args.event, args.payload);
        // The backend's listeners, and pages' Any and App listeners.
        else bus.dispatch(args.event, args.payload, { to, toBackend: to.kind === "App", source: ctx.window });
        return null;
      },
    },
  };
}

/** A window's listener count for one event at which dev mode warns: 10, then each doubling. */
const isGrowthMark = (n: number): boolean => n >= 10 && n % 10 === 0 && ((n / 10) & (n / 10 - 1)) === 0;

/**
 * The tutorial's third gotcha, listeners added on every re-render and never removed: in dev
 * mode, a window whose listener count for one event reaches 10, 20, 40 … is named, with the
 * event and the count.
 */
function warnIfGrowing(bus: EventBus, ctx: PluginContext, event: string): void {
  const count = bus.pageListenersOf(ctx.connection as Connection, event);
  if (!isGrowthMark(count)) return;
  (ctx.app as unknown as AppInternals).log({
    level: "warn",
    message: `window "${ctx.window}" has ${count} listeners for "${event}" and the count keeps growing: call the unlisten function listen() returns when a component unmounts`,
  });
}
