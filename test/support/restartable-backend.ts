/**
 * A dev backend in a child process for the reconnect tests: window tokens kept in the file
 * named by FERRY_DEV_TOKEN_FILE, on the port in PORT (0 the first time), and a `version`
 * command answering BACKEND_VERSION, so a test can kill it and start a newer one in its
 * place. Writes `{ origin, port, token }` of window "main" as one JSON line to stdout.
 */

import { allowAll, createApp } from "ferry";
import { serveWs } from "ferry/transports/ws";

const app = createApp({
  authorize: allowAll,
  log: () => {},
  commands: {
    version: () => process.env.BACKEND_VERSION ?? "",
    /** Emits `ping` to every window with the backend's version. */
    ping: (): void => app.emit("ping", process.env.BACKEND_VERSION ?? ""),
    /** Never answers: a call in flight when the backend dies. */
    hang: () => new Promise<never>(() => {}),
  },
});
const server = await serveWs(app, {
  port: Number(process.env.PORT ?? 0),
  log: () => {},
  ...(process.env.FERRY_DEV_TOKEN_FILE ? { tokenFile: process.env.FERRY_DEV_TOKEN_FILE } : {}),
});
process.stdout.write(`${JSON.stringify({ origin: server.origin, port: server.port, token: server.window("main").token })}\n`);
