/**
 * A copy of test/fixtures/dev-app in a temp folder, as `npm install` would leave it: ferry
 * itself and its dev dependencies (vite, @vitejs/plugin-react, react, tsx, typescript)
 * resolvable from the app, by symlinks into this repository.
 */

import { cpSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** This repository's root. */
export const repo = fileURLToPath(new URL("../..", import.meta.url));

/** Copies the fixture app to `dir` (created) and links its node_modules. */
export function makeDevApp(dir: string): string {
  cpSync(join(repo, "test/fixtures/dev-app"), dir, { recursive: true });
  mkdirSync(join(dir, "node_modules"));
  for (const name of readdirSync(join(repo, "node_modules"))) {
    symlinkSync(join(repo, "node_modules", name), join(dir, "node_modules", name));
  }
  symlinkSync(repo, join(dir, "node_modules", "ferry"));
  return dir;
}
