/**
 * A ferry backend in a child process, for tests that need a backend to die for real
 * (SIGKILL: no close frame, the socket just goes). Writes one JSON line to its stdout, a
 * pipe only the parent test reads: `{ origin, wsUrl, token }` of window "main".
 */

import { allowAll, createApp } from "ferry";
import { serveWs } from "ferry/transports/ws";

const app = createApp({
  authorize: allowAll,
  log: () => {},
  commands: {
    greet: ({ name }: { name: string }) => `Hello, ${name}!`,
    /** Never answers: a call in flight when the backend dies. */
    hang: () => new Promise<never>(() => {}),
  },
});
const server = await serveWs(app, { windows: ["main"], log: () => {} });
process.stdout.write(`${JSON.stringify({ origin: server.origin, wsUrl: server.wsUrl, token: server.window("main").token })}\n`);
