/**
 * The tutorial app's access configuration: where its capabilities live and what it
 * registers. `createTutorialApp` loads it; `ferry check examples/tutorial/access.ts` checks it.
 */

import { fileURLToPath } from "node:url";
import { defineAccessConfig } from "ferry/acl";
import { fsPlugin } from "ferry/plugins/fs";
import { dialogPlugin, type DialogPluginOptions } from "ferry/plugins/dialog";

/** The tutorial's folder: `capabilities/` sits here. */
export const tutorialRoot = fileURLToPath(new URL(".", import.meta.url));

/** The tutorial's own command names, as registered in createApp. */
export const tutorialCommands = ["greet", "read_file", "start_job"];

/** Fresh plugin instances (each app keeps its own per-window fs scope); tests may set the dialog's environment. */
export function tutorialPlugins(options: { dialog?: Omit<DialogPluginOptions, "fs"> } = {}) {
  const fs = fsPlugin({ identifier: "dev.ferry.tutorial", resourceDir: tutorialRoot });
  return [fs, dialogPlugin({ ...options.dialog, fs })];
}

export default defineAccessConfig({
  root: tutorialRoot,
  commands: tutorialCommands,
  plugins: tutorialPlugins(),
  windows: ["main", "limited"],
});
