/**
 * The backend of the tauri-notes example: notes in memory, the dialog plugin for the page's
 * `ask` / `confirm`, the capability file in `capabilities/`, and the frontend bundled as a
 * Vite build would bundle it.
 */

import { fileURLToPath } from "node:url";
import { createApp, defineCommand, FerryError, type App, type CommandContext, type LogEntry } from "ferry";
import { loadAccessSync } from "ferry/acl";
import { dialogPlugin } from "ferry/plugins/dialog";
import { z } from "zod";

/** The folder holding `capabilities/` and `ui/`. */
export const notesRoot = fileURLToPath(new URL(".", import.meta.url));

interface Note {
  id: number;
  text: string;
}

/** Options of `createNotesApp`: where dialogs find their program, and the log. */
export interface NotesOptions {
  /** Environment the dialog plugin finds zenity/kdialog and the display in. Default: process.env. */
  dialogEnv?: NodeJS.ProcessEnv;
  log?: (entry: LogEntry) => void;
}

/** The notes app: `list_notes`, `add_note(noteText)`, `delete_note(noteId)`, `clear_notes`; each change emits `notes-changed`. */
export function createNotesApp(options: NotesOptions = {}): App {
  const notes: Note[] = [];
  let nextId = 1;
  const commands = {
    list_notes: () => notes,
    add_note: defineCommand(
      z.object({ note_text: z.string() }),
      ({ note_text }, { app }) => {
        if (note_text.trim() === "") throw new FerryError("empty_note", "a note needs some text");
        notes.push({ id: nextId++, text: note_text });
        app.emit("notes-changed", notes.length);
        return null;
      },
      { rename: "camelCase" },
    ),
    delete_note: defineCommand(
      z.object({ note_id: z.number().int() }),
      ({ note_id }, { app }) => {
        const at = notes.findIndex((n) => n.id === note_id);
        if (at < 0) throw new FerryError("not_found", `no note ${note_id}`);
        notes.splice(at, 1);
        app.emit("notes-changed", notes.length);
        return null;
      },
      { rename: "camelCase" },
    ),
    clear_notes: (_args: unknown, { app }: CommandContext) => {
      notes.length = 0;
      app.emit("notes-changed", 0);
      return null;
    },
  };
  const dialog = dialogPlugin(options.dialogEnv ? { env: options.dialogEnv } : {});
  const log = options.log ? { log: options.log } : {};
  const access = loadAccessSync({ root: notesRoot, commands: Object.keys(commands), plugins: [dialog], appCommands: "allow", ...log });
  return createApp({ commands, plugins: [dialog], authorize: access.authorize, ...log });
}

/**
 * Bundles `ui/` into `outdir` (index.html and main.js) as a Tauri app's Vite build would.
 * `alias` swaps packages, e.g. `{ "@tauri-apps/plugin-dialog": "tauri-plugin-dialog-2-0" }`.
 */
export async function buildNotesFrontend(outdir: string, alias: Record<string, string> = {}): Promise<void> {
  const { build } = await import("esbuild");
  const { copyFile } = await import("node:fs/promises");
  await build({
    entryPoints: [fileURLToPath(new URL("./ui/main.js", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: `${outdir}/main.js`,
    alias,
    logLevel: "silent",
  });
  await copyFile(fileURLToPath(new URL("./ui/index.html", import.meta.url)), `${outdir}/index.html`);
}
