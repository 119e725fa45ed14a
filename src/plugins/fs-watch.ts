/**
 * plugin-fs's `watch` and `watchImmediate`: file system changes under scoped paths, sent to the
 * page's channel as Tauri sends them (notify's events: `{ type, paths, attrs }`, `type` like
 * `{ modify: { kind: "data", mode: "any" } }`). `watch` gathers events per path and sends each
 * once it has been quiet for `delayMs`, as Tauri's debouncer does (one event a path: a create
 * followed by changes stays a create); `watchImmediate` sends them as they come.
 *
 * A watcher is a resource of the page's connection: `unwatch` (`plugin:resources|close`) ends it,
 * and so does the connection going away. A page holds at most `MAX_WATCHERS` at once.
 */

import { watch as fsWatch, type FSWatcher } from "node:fs";
import { lstat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Channel } from "../backend/channel.ts";
import type { PluginConnection } from "../backend/connection.ts";
import type { PathScope } from "../acl/paths.ts";
import { FerryError } from "../protocol/errors.ts";
import type { Resource } from "./resources.ts";

/** Watchers one page (connection) may hold at once; one more is `limit_exceeded`. */
export const MAX_WATCHERS = 16;
/** Paths one `watch` call may name. */
export const MAX_WATCH_PATHS = 64;
/** Events waiting for the page per watcher; past this, newer events are dropped until it catches up. */
const MAX_QUEUED = 1024;
/** The longest debounce a page may ask for. */
const MAX_DELAY_MS = 60 * 60 * 1000;

/** An event as plugin-fs's `WatchEvent` reads it. */
export interface WatchEvent {
  type: "any" | "other" | Record<string, { kind: string; mode?: string }>;
  paths: string[];
  attrs: Record<string, never>;
}

const live = new WeakMap<PluginConnection, number>();

/** What `startWatcher` needs: real paths already checked against `scope`. */
export interface WatchRequest {
  paths: { real: string; dir: boolean }[];
  recursive: boolean;
  /** Debounce delay; undefined sends events at once (`watchImmediate`). */
  delayMs: number | undefined;
  /** The window's fs scope: events for paths outside it (a denied sub-folder) are not sent. */
  scope: PathScope;
  channel: Channel<WatchEvent>;
  connection: PluginConnection;
}

/** Checks `options.delayMs` as plugin-fs sends it (absent or null for `watchImmediate`). */
export function watchDelay(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_DELAY_MS) {
    throw new FerryError("invalid_args", `options.delayMs must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}`);
  }
  return value;
}

/** A running watch: the resource `watch` returns the id of. */
export class FsWatch implements Resource {
  private readonly watchers: FSWatcher[] = [];
  private readonly pending = new Map<string, { event: WatchEvent; at: number }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sending: Promise<void> = Promise.resolve();
  private arriving: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;

  constructor(private readonly req: WatchRequest) {
    const count = live.get(req.connection) ?? 0;
    if (count >= MAX_WATCHERS) {
      throw new FerryError("limit_exceeded", `a page may run at most ${MAX_WATCHERS} watchers at once; unwatch some`, {
        limit: "watchers",
        max: MAX_WATCHERS,
      });
    }
    try {
      for (const { real, dir } of req.paths) {
        const base = dir ? real : dirname(real);
        const w = fsWatch(real, { recursive: req.recursive && dir, persistent: false }, (type, name) => {
          const path = name ? join(base, name.toString()) : real;
          // In arrival order: naming a `rename` takes an lstat, which must not let a later change overtake it.
          this.arriving = this.arriving.then(() => this.raw(type, path)).catch(() => {});
        });
        // A watched folder that goes away ends its watcher; the page hears the remove first.
        w.on("error", () => w.close());
        this.watchers.push(w);
      }
    } catch (err) {
      for (const w of this.watchers) w.close();
      throw err;
    }
    live.set(req.connection, count + 1);
  }

  /** One change from `fs.watch`, as notify would name it. */
  private async raw(type: string, path: string): Promise<void> {
    if (this.closed || !this.req.scope.allows(path)) return;
    let kind: WatchEvent["type"];
    if (type === "change") kind = { modify: { kind: "data", mode: "any" } };
    else {
      const info = await lstat(path).catch(() => undefined);
      kind = info ? { create: { kind: info.isDirectory() ? "folder" : "file" } } : { remove: { kind: "any" } };
    }
    if (this.closed) return;
    const event: WatchEvent = { type: kind, paths: [path], attrs: {} };
    if (this.req.delayMs === undefined) return this.send(event);
    const now = Date.now();
    const held = this.pending.get(path);
    // As notify's full debouncer: no modify after a create, one event per path.
    const merged = held && typeof held.event.type === "object" && "create" in held.event.type && "modify" in kind ? held.event : event;
    this.pending.delete(path);
    this.pending.set(path, { event: merged, at: now });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const first = this.pending.values().next().value;
    if (!first) return;
    const delay = this.req.delayMs!;
    this.timer = setTimeout(() => this.flush(), Math.max(0, first.at + delay - Date.now()));
    this.timer.unref?.();
  }

  /** Sends every path quiet for `delayMs`, oldest first, and waits for the rest. */
  private flush(): void {
    this.timer = undefined;
    const due = Date.now() - this.req.delayMs!;
    for (const [path, { event, at }] of this.pending) {
      if (at > due) break;
      this.pending.delete(path);
      this.send(event);
    }
    this.schedule();
  }

  /** Sends in order at the page's pace; past `MAX_QUEUED` waiting, drops. */
  private send(event: WatchEvent): void {
    if (this.closed) return;
    if (this.queued >= MAX_QUEUED) return;
    this.queued++;
    this.sending = this.sending
      .then(() => (this.closed ? undefined : this.req.channel.send(event)))
      .catch(() => {})
      .finally(() => {
        this.queued--;
      });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watchers) w.close();
    if (this.timer) clearTimeout(this.timer);
    this.pending.clear();
    // The page's channel ends after what was already sent.
    void this.sending.then(() => this.req.channel.close());
    live.set(this.req.connection, Math.max(0, (live.get(this.req.connection) ?? 1) - 1));
  }
}
