/**
 * The app's backend: `ferry dev` and `ferry start` import this module and call its default
 * export with the app's folder, config, data folders and window plugins, then serve it.
 */

import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { randomUUID } from "node:crypto";
import { Channel, createApp, defineBackend, defineCommand, defineErrors, defineEvents, FerryError, type BackendContext } from "ferry";
import { loadAccessSync } from "ferry/acl";
import { z } from "zod";

/** One note, as stored in `notes.json` and as the page receives it. */
export interface Note {
  id: string;
  text: string;
  created: string;
}

/** The app's events: the backend's `emit` and the page's `listen` are both checked against this map. */
export type Events = {
  /** Sent to every window after a note was added or deleted. */
  "notes-changed": { count: number };
};

/** What `export_notes` streams to the page while it works. */
export type Progress = { done: number; total: number };

export function createBackend(ctx: BackendContext) {
  // The app's data lives in its own folder (on Linux ~/.local/share/<identifier>), never next to the code.
  const file = join(ctx.dirs.appData, "notes.json");

  async function load(): Promise<Note[]> {
    try {
      return JSON.parse(await readFile(file, "utf8")) as Note[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }

  // One write at a time; each write replaces the file atomically.
  let writes: Promise<unknown> = Promise.resolve();
  function update(change: (notes: Note[]) => Note[]): Promise<Note[]> {
    const next = writes.then(async () => {
      const notes = change(await load());
      await mkdir(ctx.dirs.appData, { recursive: true });
      await writeFile(`${file}.tmp`, JSON.stringify(notes, null, 2));
      await rename(`${file}.tmp`, file);
      return notes;
    });
    writes = next.catch(() => undefined);
    return next;
  }

  const commands = {
    /** All notes, oldest first. */
    list_notes: () => load(),

    /** Adds a note; every window hears `notes-changed`. */
    add_note: defineCommand(z.object({ text: z.string().trim().min(1, "write something first").max(10_000) }), async ({ text }) => {
      const note: Note = { id: randomUUID(), text, created: new Date().toISOString() };
      const notes = await update((all) => [...all, note]);
      app.emit("notes-changed", { count: notes.length });
      return note;
    }),

    /** Deletes a note by id; an unknown id fails with kind `not_found`. */
    delete_note: defineCommand(
      z.object({ id: z.string() }),
      async ({ id }) => {
        let found = false;
        const notes = await update((all) => {
          found = all.some((n) => n.id === id);
          return all.filter((n) => n.id !== id);
        });
        if (!found) throw new FerryError("not_found", `no note with id ${id}`, { id });
        app.emit("notes-changed", { count: notes.length });
        return null;
      },
      { errors: defineErrors<{ not_found: { id: string } }>() },
    ),

    /**
     * A long command: writes every note to `exports/notes.md` under the data folder, one at a
     * time, streaming progress over a channel. Cancelling the call (or closing the window) stops it.
     */
    export_notes: defineCommand(
      z.object({ progress: z.custom<Channel<Progress>>((v) => v instanceof Channel) }),
      async ({ progress }, { signal }) => {
        const notes = await load();
        const lines: string[] = [];
        for (const [i, note] of notes.entries()) {
          await sleep(50, undefined, { signal }); // stands in for real work per item
          lines.push(`- ${note.created}: ${note.text.replace(/\n/g, " ")}`);
          await progress.send({ done: i + 1, total: notes.length });
        }
        const dir = join(ctx.dirs.appData, "exports");
        await mkdir(dir, { recursive: true });
        const path = join(dir, "notes.md");
        await writeFile(path, `# Notes\n\n${lines.join("\n")}\n`);
        return { path, count: notes.length };
      },
    ),
  };

  // capabilities/default.json decides which window may call what (deny by default).
  const { authorize } = loadAccessSync({ root: ctx.dir, commands: Object.keys(commands), plugins: ctx.plugins });
  const app = createApp({ dev: ctx.dev, plugins: ctx.plugins, authorize, commands, events: defineEvents<Events>() });
  return app;
}

/** The page imports this type: `client<App>()` is then typed from the commands above. */
export type App = ReturnType<typeof createBackend>;

export default defineBackend(createBackend);
