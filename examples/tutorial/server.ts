/**
 * `npm start`: serves the tutorial app on loopback and opens it.
 *
 *   npm start                   open the page in the system's browser
 *   npm start -- --no-window    only print the URL (token included) for a browser to open
 *   npm start -- --port 1420    pick the port (default: a free one)
 *   npm start -- --dev          dev mode: internal errors carry their message and stack
 *   npm start -- --window limited   open the window with fewer rights (capabilities/limited.json)
 */

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { serveWs } from "ferry/transports/ws";
import { openInBrowser } from "../../src/shell/open.ts";
import { createTutorialApp } from "./commands.ts";

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
    if (!WINDOWS.includes(values.window)) throw new Error(`--window must be one of ${WINDOWS.join(", ")}, got ${values.window}`);
    return { noWindow: values["no-window"], port, dev: values.dev, help: values.help, window: values.window };
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: npm start -- [--no-window] [--port N] [--dev] [--window main|limited]`);
    process.exit(2);
  }
}

const opts = options();
if (opts.help) {
  console.log("usage: npm start -- [--no-window] [--port N] [--dev] [--window main|limited]");
  process.exit(0);
}

const app = createTutorialApp({ dev: opts.dev });
const root = fileURLToPath(new URL("./ui", import.meta.url));
let server;
try {
  server = await serveWs(app, { root, port: opts.port, windows: WINDOWS });
} catch (err) {
  console.error(`ferry: ${(err as Error).message}`);
  process.exit(1);
}
const { url } = server.window(opts.window);
console.log(`ferry tutorial app on ${server.origin}`);
if (opts.noWindow || !(await openInBrowser(server.launchUrl(opts.window)))) {
  console.log(`open this URL in a browser (it carries the window's token; keep it private):\n${url}`);
} else {
  console.log("opened in your browser; Ctrl+C stops the app");
}

const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
