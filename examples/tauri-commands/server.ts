/**
 * `npx tsx examples/tauri-commands/server.ts`: serves the example on loopback and prints the
 * main window's URL (its token included) to open in a browser.
 */

import { fileURLToPath } from "node:url";
import { serveWs } from "ferry/transports/ws";
import { createCommandsApp } from "./app.ts";

const app = createCommandsApp();
const server = await serveWs(app, { root: fileURLToPath(new URL("./ui", import.meta.url)), windows: ["main"] });
console.log(`tauri-commands: open ${server.window("main").url}`);
process.once("SIGINT", () => void server.close());
