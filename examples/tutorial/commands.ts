/**
 * The tutorial app's backend: the three commands of the IPC tutorial, in TypeScript.
 */

import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createApp, defineCommand, FerryError, type AppOptions, type CommandContext } from "ferry";
import { z } from "zod";
import { loadAccessSync } from "ferry/acl";
import { tutorialCommands, tutorialPlugins, tutorialRoot } from "./access.ts";

/** `greet(name)` → "Hello, <name>!" */
export const greet = defineCommand(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}!`);

/**
 * `read_file(path)` → the file's text, read without blocking the event loop.
 * Fails with kind `not_found` or `io`, the tutorial's typed errors.
 */
export const read_file = defineCommand(z.object({ path: z.string().min(1) }), async ({ path }, { signal }) => {
  try {
    return await readFile(path, { encoding: "utf8", signal });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.name === "AbortError") throw err;
    if (e.code === "ENOENT") throw new FerryError("not_found", `no file at ${path}`, { path });
    throw new FerryError("io", `io error: ${e.code ?? e.message}`, { path, code: e.code });
  }
});

/** `start_job` → emits `job-progress` 1..100 every 50 ms, then `job-done`. Stops if the window goes. */
export async function start_job(_args: unknown, { app, signal }: CommandContext) {
  for (let i = 1; i <= 100; i++) {
    await sleep(50, undefined, { signal });
    app.emit("job-progress", i);
  }
  app.emit("job-done", null);
  return null;
}

/**
 * The tutorial app, its access rules read from `capabilities/` (window `main` gets the
 * tutorial's commands, `limited` fewer). Options let tests set dev mode, plugins, or
 * replace the access rule with their own `authorize`.
 */
export function createTutorialApp(options: Omit<AppOptions<undefined>, "commands"> = {}) {
  const plugins = options.plugins ?? tutorialPlugins();
  const authorize = options.authorize ?? loadAccessSync({ root: tutorialRoot, commands: tutorialCommands, plugins }).authorize;
  return createApp({ ...options, plugins, authorize, commands: { greet, read_file, start_job } });
}
