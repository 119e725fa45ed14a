/**
 * A backend for the type tests: commands defined every way ferry takes them (zod,
 * valibot, arktype, a plain handler, `defineCommand` without a schema), channels, declared
 * errors and an event map. The pages beside it import its `App` type and nothing else.
 */

import { Channel, createApp, allowAll, defineCommand, defineErrors, defineEvents, FerryError, type CommandContext } from "ferry";
import { type } from "arktype";
import * as v from "valibot";
import { z } from "zod";

/** The app's event map: one declaration for backend and page. */
export type Events = {
  "job-progress": number;
  "job-done": null;
  note: { text: string; at: Date };
  ping: undefined;
};

type Progress = { done: number; total: number };

export const greet = defineCommand(z.object({ name: z.string(), times: z.number().int().default(1) }), ({ name, times }) =>
  `Hello, ${name}!`.repeat(times),
);

export const read_file = defineCommand(
  z.object({ path: z.string().min(1) }),
  ({ path }) => {
    if (path === "") throw new FerryError("not_found", `no file at ${path}`, { path });
    return `contents of ${path}`;
  },
  { errors: defineErrors<{ not_found: { path: string }; io: { path: string; code: string } }>() },
);

// A channel argument, typed, in each of the three schema libraries.
export const download_zod = defineCommand(
  z.object({ url: z.string(), progress: z.custom<Channel<Progress>>((x) => x instanceof Channel) }),
  async ({ progress }) => {
    await progress.send({ done: 1, total: 1 });
    return new Uint8Array(4);
  },
);
export const download_valibot = defineCommand(
  v.object({ url: v.string(), progress: v.custom<Channel<Progress>>((x) => x instanceof Channel) }),
  ({ progress }) => progress.send({ done: 1, total: 1 }),
);
export const download_arktype = defineCommand(
  type({ url: "string", progress: type.instanceOf(Channel).as<Channel<Progress>>() }),
  ({ progress }) => progress.send({ done: 1, total: 1 }),
);

// Ported from Rust: snake_case in the handler, camelCase on the page.
export const open_file = defineCommand(
  z.object({ file_path: z.string(), read_only: z.boolean().optional() }),
  ({ file_path }) => file_path,
  {
    rename: "camelCase",
  },
);

// What arrives: a Date as its JSON string, bytes as a Uint8Array; an array that may hold
// undefined arrives without it (the backend refuses one that does: not_serializable).
export const stats = async (_args: { since?: number }) => ({
  at: new Date(),
  bytes: Buffer.from("x"),
  sizes: [1, 2, 3] as (number | undefined)[],
});

/** A class instance with methods: refused (not_serializable), so it types as never on the page. */
export class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}
export const origin = () => ({ at: new Point(0, 0) });
export const withMethod = () => ({
  n: 1,
  method() {
    return 1;
  },
});

export const lookup = defineCommand(async (args: { ids: string[] }) => new Map(args.ids.map((id) => [id, id])));

export const start_job = async (_args: unknown, { app, signal }: CommandContext<undefined, Events>) => {
  for (let i = 1; i <= 3 && !signal.aborted; i++) app.emit("job-progress", i);
  app.emit("job-done", null);
  app.emit("ping");
  return null;
};

export const version = () => "1.0.0";

export const app = createApp({
  authorize: allowAll,
  events: defineEvents<Events>(),
  commands: {
    greet,
    read_file,
    download_zod,
    download_valibot,
    download_arktype,
    open_file,
    stats,
    lookup,
    start_job,
    version,
    origin,
    withMethod,
  },
});

/** What pages import. */
export type App = typeof app;

// Backend events are typed by the same map.
app.listen("note", (e) => e.payload.at.getTime());
app.emitTo("main", "note", { text: "hi", at: new Date() });

// An app that renames every command's args (Tauri's default), and a bare commands record.
const renamed = createApp({
  rename: "camelCase",
  commands: { save_note: (args: { note_id: string; body_text: string }) => args.note_id.length },
});
/** A page typed by an app whose commands take camelCase args. */
export type Renamed = typeof renamed;
/** A bare commands record also types a client (no events then). */
export const plainCommands = { add: (args: { a: number; b: number }) => args.a + args.b };
