/**
 * The tutorial app's backend: the three commands of the IPC tutorial, in TypeScript.
 */

import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createApp, defineCommand, defineErrors, defineEvents, FerryError, type AppOptions, type CommandContext } from "ferry";
import { z } from "zod";
import { loadAccessSync } from "ferry/acl";
import { tutorialCommands, tutorialPlugins, tutorialRoot } from "./access.ts";

/** The tutorial's events, declared once: the backend's `emit` and the page's `listen` are checked against it. */
export type Events = {
  "job-progress": number;
  "job-done": null;
};

/** `greet(name)` → "Hello, <name>!" */
export const greet = defineCommand(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}!`);

/**
 * `read_file(path)` → the file's text, read without blocking the event loop.
 * Fails with kind `not_found` or `io`, the tutorial's typed errors.
 */
export const read_file = defineCommand(
  z.object({ path: z.string().min(1) }),
  async ({ path }, { signal }) => {
    try {
      return await readFile(path, { encoding: "utf8", signal });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.name === "AbortError") throw err;
      if (e.code === "ENOENT") throw new FerryError("not_found", `no file at ${path}`, { path });
      throw new FerryError("io", `io error: ${e.code ?? e.message}`, { path, code: e.code });
    }
  },
  // The page sees these kinds, with their data, in the error union of `read_file`.
  { errors: defineErrors<{ not_found: { path: string }; io: { path: string; code: string | undefined } }>() },
);

/** `start_job` → emits `job-progress` 1..100 every 50 ms, then `job-done`. Stops if the window goes. */
export async function start_job(_args: unknown, { app, signal }: CommandContext<undefined, Events>) {
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
  return createApp({ ...options, plugins, authorize, events: defineEvents<Events>(), commands: { greet, read_file, start_job } });
}

/** What the page imports (`import type`): its client is typed by it, with no code generated. */
export type App = ReturnType<typeof createTutorialApp>;
