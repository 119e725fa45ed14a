/**
 * `ferry start`: runs a built app. The backend entry serves `build.frontendDist` on loopback
 * and the app opens in its own window; without a display or a browser it opens in the
 * system's browser through a launch file, saying why.
 */

import { openInBrowser } from "../shell/index.ts";
import { windowEngineFor } from "../windows/index.ts";
import { runBackend } from "./run.ts";

/** Options of `ferry start` (its flags). */
export interface StartOptions {
  /** The app's folder. */
  dir: string;
  /** The port (default a free one). */
  port?: number;
  /** Open no window: print where the app is instead. */
  noWindow?: boolean;
}

/** Runs `ferry start`; resolves with the exit status once the app is done. */
export async function start(options: StartOptions): Promise<number> {
  const { config, app, windows, server } = await runBackend({ dir: options.dir, dev: false, port: options.port ?? 0 });
  const name = config.productName ?? config.identifier;
  const choice = options.noWindow ? { reason: "--no-window" } : windowEngineFor({ identifier: config.identifier, name });
  if ("engine" in choice) {
    const stop = () => void windows.close();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
      await windows.start(choice.engine, server, app);
      await windows.done;
      return 0;
    } catch (err) {
      await windows.close();
      console.error(`ferry: ${(err as Error).message}`);
      return 1;
    } finally {
      await server.close();
    }
  }
  const done = new Promise<number>((resolveDone) => {
    const stop = () => void server.close().then(() => resolveDone(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  const label = config.app.windows[0]?.label ?? "main";
  if (!options.noWindow) {
    console.log(`ferry: no app window: ${choice.reason}; opening the system browser instead`);
    const file = await server.launchFile(label);
    if (await openInBrowser(file.url)) {
      console.log(`ferry: ${name} opened in your browser; Ctrl+C stops it`);
      return done;
    }
    file.remove();
  }
  if (process.stdout.isTTY) {
    console.log(`ferry: open this URL in a browser (it carries the window's token; keep it private):\n${server.window(label).url}`);
  } else {
    const file = await server.launchFile(label, { ttlMs: 0 });
    console.log(`ferry: open this file in a browser (only you can read it; it is deleted once the page connects):\n${file.path}`);
  }
  return done;
}
