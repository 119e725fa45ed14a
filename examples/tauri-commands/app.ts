/**
 * The backend of the tauri-commands example: commands as a Rust Tauri app declares them
 * (snake_case arguments, `rename: "camelCase"` so the page sends camelCase, as Tauri's
 * default), the capability file copied from create-tauri-app, and Tauri's rule that app
 * commands are allowed to any window a capability matches (`appCommands: "allow"`).
 */

import { fileURLToPath } from "node:url";
import { createApp, defineCommand, FerryError, type App, type LogEntry } from "ferry";
import { loadAccessSync } from "ferry/acl";
import { z } from "zod";

/** The folder holding `capabilities/`. */
export const commandsRoot = fileURLToPath(new URL(".", import.meta.url));

const commands = {
  /** `greet(name)`: create-tauri-app's first command. */
  greet: defineCommand(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}! You've been greeted from TypeScript!`),
  /** `simple_command(theArgument)`: Tauri's commands example; the page sends `theArgument`. */
  simple_command: defineCommand(z.object({ the_argument: z.string() }), ({ the_argument }) => `simple_command got ${the_argument}`, {
    rename: "camelCase",
  }),
  /** A command returning `Result<_, MyError>`: the page's catch gets the error value as serialized. */
  simple_command_with_result: defineCommand(
    z.object({ the_argument: z.string() }),
    ({ the_argument }) => {
      if (the_argument === "fail") throw new FerryError("timeout", "the upstream service timed out", { after_secs: 30 });
      if (the_argument === "string") throw "a plain string error";
      return the_argument.length;
    },
    { rename: "camelCase" },
  ),
};

/** The example's app, its access loaded from `capabilities/` (copied from create-tauri-app). */
export function createCommandsApp(options: { log?: (entry: LogEntry) => void } = {}): App {
  const access = loadAccessSync({ root: commandsRoot, commands: Object.keys(commands), appCommands: "allow", ...options });
  return createApp({ commands, authorize: access.authorize, ...options });
}
