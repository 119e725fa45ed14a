/**
 * `npm start`: serves the tutorial app on loopback and opens it in its own app window.
 *
 *   npm start                   open the app window (a Chromium-family browser in app mode);
 *                               without a display or a browser, the system's browser instead
 *   npm start -- --no-window    do not open it: print the URL (token included) to a terminal,
 *                               or, when stdout is not a terminal, the path of a file only
 *                               you can read that opens it
 *   npm start -- --port 1420    pick the port (default: a free one)
 *   npm start -- --dev          dev mode: internal errors carry their message and stack; DevTools;
 *                               the IPC inspector, whose URL is printed to a terminal
 *   npm start -- --window limited   open the window with fewer rights (capabilities/limited.json)
 *   npm start -- --window main,limited   open both windows, each with its own rights
 *
 * The app window gets its token over the browser's DevTools pipe, for the app's origin only.
 * The system browser gets the page through a launch file (0600, deleted once the page
 * connects): the token never sits in a process's arguments, where any local user could read it.
 * FERRY_BROWSER=/path/to/chrome picks the app window's browser; FERRY_OPENER=/path/to/program
 * replaces the system opener (xdg-open, open, start), run with the launch file's URL.
 * Closing the last window ends the app (status 0); so does Ctrl+C.
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { serveWs } from "ferry/transports/ws";
import { openInBrowser } from "ferry/shell";
import { loadAppConfig } from "ferry/config";
import { appHostFor, createWindows, windowEngineFor } from "ferry/windows";
import { createTutorialApp } from "./commands.ts";
import { tutorialPlugins, tutorialRoot } from "./access.ts";

/** The labels the capabilities in ./capabilities name. */
const WINDOWS = ["main", "limited"];

function options() {
  try {
    const { values } = parseArgs({
      options: {
        "no-window": { type: "boolean", default: false },
        port: { type: "string", default: "0" },
        dev: { type: "boolean", default: false },
        window: { type: "string", default: "main" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);
    const labels = values.window.split(",");
    for (const label of labels) {
      if (!WINDOWS.includes(label))
        throw new Error(`--window must name ${WINDOWS.join(" and/or ")} (comma-separated), got ${values.window}`);
    }
    if (new Set(labels).size !== labels.length) throw new Error(`--window names a window twice: ${values.window}`);
    return { noWindow: values["no-window"], port, dev: values.dev, help: values.help, windows: labels };
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: npm start -- [--no-window] [--port N] [--dev] [--window main|limited|main,limited]`);
    process.exit(2);
  }
}

const opts = options();
if (opts.help) {
  console.log("usage: npm start -- [--no-window] [--port N] [--dev] [--window main|limited|main,limited]");
  process.exit(0);
}

// ferry.conf.json: the app's identifier, name and windows, in Tauri's field names.
const config = await loadAppConfig(tutorialRoot);
for (const field of config.unsupported) console.warn(`ferry: ${config.file}: ${field} is not supported and is ignored`);
const first = config.app.windows[0]!;
const name = config.productName ?? config.identifier;
// --window picks the labels (capabilities/ decide what each may do); the first is titled with the app's name.
const windows = createWindows({
  config,
  windows: opts.windows.map((label, i) => ({ ...first, label, title: i === 0 ? first.title : `${name} (${label})` })),
});
const app = createTutorialApp({ dev: opts.dev, plugins: [...tutorialPlugins(), ...windows.plugins] });
const root = join(config.dir, config.build.frontendDist ?? "ui");
let server;
try {
  server = await serveWs(app, { root, port: opts.port, windows: WINDOWS, appHost: appHostFor(config.identifier) });
} catch (err) {
  console.error(`ferry: ${(err as Error).message}`);
  process.exit(1);
}
console.log(`ferry tutorial app on ${server.origin}`);
// Dev mode has the IPC inspector (docs/inspector.md); its URL carries a token, so only a terminal sees it.
const inspector = server.inspector();
if (inspector && process.stdout.isTTY) console.log(`IPC inspector (keep the URL private): ${inspector.url}`);
else if (inspector) console.log("IPC inspector: run in a terminal to see its URL (it carries a token)");

const choice = opts.noWindow
  ? { reason: "--no-window" }
  : windowEngineFor({ identifier: config.identifier, name: config.productName ?? config.identifier, dev: opts.dev });
if ("engine" in choice) {
  const stop = () => void windows.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await windows.start(choice.engine, server, app);
    console.log("app window open; close it (or Ctrl+C) to stop");
    await windows.done;
    await server.close();
    process.exit(0);
  } catch (err) {
    await windows.close();
    await server.close();
    console.error(`ferry: ${(err as Error).message}`);
    process.exit(1);
  }
}

// Ctrl+C stops the app; set before anything is printed, so a signal sent on seeing the output finds it.
const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

if (!opts.noWindow) console.log(`no app window: ${choice.reason}; opening the system browser instead`);
let opened = false;
if (!opts.noWindow) {
  for (const label of opts.windows) {
    const file = await server.launchFile(label);
    opened = await openInBrowser(file.url);
    if (!opened) {
      file.remove();
      break;
    }
  }
}
if (opened) {
  console.log("opened in your browser; Ctrl+C stops the app");
} else if (process.stdout.isTTY) {
  // A terminal is private to the user; a pipe or a log file may not be.
  console.log(`open this URL in a browser (it carries the window's token; keep it private):\n${server.window(opts.windows[0]!).url}`);
} else {
  const file = await server.launchFile(opts.windows[0]!, { ttlMs: 0 });
  console.log(`open this file in a browser (only you can read it; it is deleted once the page connects):\n${file.path}`);
}
