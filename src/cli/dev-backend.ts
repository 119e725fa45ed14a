/**
 * The backend child of `ferry dev`: runs the app's backend entry in dev mode on the port and
 * with the token file its parent chose, its windows in the parent's engine (`remoteEngine`).
 * The parent restarts it on each backend edit: SIGTERM ends it at once and leaves the windows
 * open; it ends by itself when the app is done (its last window closed).
 */

import { remoteEngine, type RemoteEngineInfo } from "../windows/remote.ts";
import { runBackend } from "./run.ts";

const env = process.env;
process.once("SIGTERM", () => process.exit(0));
process.once("SIGINT", () => process.exit(0));

function fail(err: unknown): never {
  console.error(`ferry dev: backend: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

try {
  if (!process.send) throw new Error("dev-backend runs as a child of `ferry dev`");
  const send = process.send.bind(process);
  const running = await runBackend({
    dir: env.FERRY_DEV_DIR ?? process.cwd(),
    dev: true,
    port: Number(env.FERRY_DEV_PORT ?? 0),
    ...(env.FERRY_DEV_TOKEN_FILE ? { tokenFile: env.FERRY_DEV_TOKEN_FILE } : {}),
    ...(env.FERRY_DEV_ORIGINS ? { origins: env.FERRY_DEV_ORIGINS.split(" ") } : {}),
  });
  const info = env.FERRY_DEV_ENGINE ? (JSON.parse(env.FERRY_DEV_ENGINE) as RemoteEngineInfo) : undefined;
  if (info) {
    const link = { send: (m: unknown) => void send(m as object), onMessage: (fn: (m: unknown) => void) => void process.on("message", fn) };
    await running.windows.start(remoteEngine(link, info), running.server, running.app);
  }
  send({ t: "ready", port: running.server.port });
  if (info) {
    await running.windows.done;
    await running.server.close();
    process.exit(0);
  }
} catch (err) {
  fail(err);
}
