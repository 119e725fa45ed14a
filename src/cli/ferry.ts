/**
 * The `ferry` command.
 *
 *   ferry check <access-config.ts> [--windows main,limited] [--strict] [--json]
 *   ferry schema <access-config.ts> [out.json]   capability JSON Schema knowing the app's permissions
 *   ferry init [dir] --template vanilla-ts|react-ts|vue-ts   a new app (see init.ts)
 *
 * The config module's default export is `defineAccessConfig({ root, commands, plugins, windows })`.
 * Exit status: 0 when sound, 1 when there are errors (or warnings with --strict), 2 on usage errors.
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { writeFile } from "node:fs/promises";
import { checkAccess } from "../acl/check.ts";
import { PermissionRegistry } from "../acl/registry.ts";
import { capabilitySchema } from "../acl/schema.ts";
import type { AccessConfig } from "../acl/load.ts";
import { init, INIT_USAGE } from "./init.ts";

const USAGE =
  "usage: ferry check <access-config.ts> [--windows a,b] [--strict] [--json]\n       ferry schema <access-config.ts> [out.json]" +
  `\n       ${INIT_USAGE}`;

/**
 * The ES module of tsx's register API, found from the config file's folder (the project's
 * own tsx, also under pnpm's strict layout), else from where ferry is installed.
 */
function tsxApiUrl(file: string): string {
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
 * Imports the user's config module. A `.ts` file needs a TypeScript loader on Node versions
 * that cannot strip types: ferry uses the project's own `tsx` when it has one, and otherwise
 * says what to install.
 */
async function importConfig(file: string): Promise<unknown> {
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

async function loadConfig(file: string): Promise<AccessConfig | undefined> {
  const mod = (await importConfig(file)) as { default?: AccessConfig };
  const config = mod.default;
  if (!config || typeof config !== "object" || !Array.isArray(config.commands)) {
    console.error(`${file}: the default export must be defineAccessConfig({ root, commands, plugins, windows })`);
    return undefined;
  }
  return config;
}

async function schema(argv: string[]): Promise<number> {
  const [file, out, ...extra] = argv;
  if (!file || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const config = await loadConfig(file);
  if (!config) return 2;
  const registry = new PermissionRegistry(config.commands, config.plugins ?? [], config.permissions);
  const text = JSON.stringify(capabilitySchema(registry), null, 2) + "\n";
  if (out) await writeFile(out, text);
  else process.stdout.write(text);
  return 0;
}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { windows: { type: "string" }, strict: { type: "boolean", default: false }, json: { type: "boolean", default: false } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const config = await loadConfig(file);
  if (!config) return 2;
  const windows = values.windows
    ? values.windows
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : config.windows;
  const report = await checkAccess({ ...config, ...(windows ? { windows } : {}) });
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    for (const e of report.errors) console.log(`error: ${e.message}`);
    for (const w of report.warnings) console.log(`warning: ${w.message}`);
    const summary = `${report.capabilities.length} capabilit${report.capabilities.length === 1 ? "y" : "ies"}, ${report.errors.length} error(s), ${report.warnings.length} warning(s)`;
    console.log(report.errors.length === 0 && report.warnings.length === 0 ? `ok: ${summary}` : summary);
  }
  return report.errors.length > 0 || (values.strict && report.warnings.length > 0) ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "check") return check(rest);
  if (command === "schema") return schema(rest);
  if (command === "init") return init(rest);
  console.error(command === undefined || command === "--help" || command === "-h" ? USAGE : `unknown command "${command}"\n${USAGE}`);
  return command === "--help" || command === "-h" ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`ferry: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
