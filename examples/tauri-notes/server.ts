/**
 * `npx tsx examples/tauri-notes/server.ts`: bundles the frontend, serves it on loopback and
 * prints the main window's URL (its token included) to open in a browser.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveWs } from "ferry/transports/ws";
import { buildNotesFrontend, createNotesApp } from "./app.ts";

const dist = await mkdtemp(join(tmpdir(), "tauri-notes-"));
await buildNotesFrontend(dist);
const server = await serveWs(createNotesApp(), { root: dist, windows: ["main"] });
console.log(`tauri-notes: open ${server.window("main").url}`);
process.once("SIGINT", () => void server.close().then(() => rm(dist, { recursive: true, force: true })));
