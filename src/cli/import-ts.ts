/**
 * Imports the user's TypeScript modules from the compiled package: natively where Node can
 * strip types, else through the project's own `tsx`.
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * The ES module of tsx's register API, found from the config file's folder (the project's
 * own tsx, also under pnpm's strict layout), else from where ferry is installed.
 */
export function tsxApiUrl(file: string): string {
  for (const from of [resolve(file), fileURLToPath(import.meta.url)]) {
    try {
      const manifest = createRequire(from).resolve("tsx/package.json");
      const exports = (JSON.parse(readFileSync(manifest, "utf8")) as { exports?: Record<string, { import?: { default?: string } }> })
        .exports;
      const entry = exports?.["./esm/api"]?.import?.default;
      if (entry) return pathToFileURL(join(dirname(manifest), entry)).href;
    } catch {
      // not installed there
    }
  }
  return "tsx/esm/api";
}

/**
 * Imports one of the user's modules (a config, a backend entry). A `.ts` file needs a TypeScript loader on Node versions
 * that cannot strip types: ferry uses the project's own `tsx` when it has one, and otherwise
 * says what to install.
 */
export async function importTs(file: string): Promise<unknown> {
  const url = pathToFileURL(resolve(file)).href;
  try {
    return await import(url);
  } catch (err) {
    // Node without type stripping, or TypeScript its stripping cannot take (enums, extensionless imports).
    const code = (err as NodeJS.ErrnoException).code;
    const needsLoader =
      code === "ERR_UNKNOWN_FILE_EXTENSION" ||
      code === "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX" ||
      (code === "ERR_MODULE_NOT_FOUND" && /\.[mc]?ts$/.test(file));
    if (!needsLoader) throw err;
  }
  let tsx: { register(): unknown };
  try {
    tsx = (await import(tsxApiUrl(file))) as typeof tsx;
  } catch {
    throw new Error(
      `${file}: this Node.js (${process.version}) cannot load TypeScript by itself; install a loader in your project ` +
        "(npm install --save-dev tsx) or use Node.js 22.18 or later",
    );
  }
  tsx.register();
  return import(`${url}?ts`); // a new URL: the failed import above is cached
}
