/**
 * The `ferry` command.
 *
 *   ferry check <access-config.ts> [--windows main,limited] [--strict] [--json]
 *   ferry schema <access-config.ts> [out.json]   capability JSON Schema knowing the app's permissions
 *   ferry init [dir] --template vanilla-ts|react-ts|vue-ts   a new app (docs/init.md)
 *   ferry dev [dir] [--no-window] [--no-typecheck] [--port N]   the dev loop (docs/dev.md)
 *   ferry start [dir] [--no-window] [--port N]   runs the built app in its window
 *
 * The config module's default export is `defineAccessConfig({ root, commands, plugins, windows })`.
 * Exit status: 0 when sound, 1 when there are errors (or warnings with --strict), 2 on usage errors.
 */

import { parseArgs } from "node:util";
import { writeFile } from "node:fs/promises";
import { importTs } from "./import-ts.ts";
import { checkAccess } from "../acl/check.ts";
import { PermissionRegistry } from "../acl/registry.ts";
import { capabilitySchema } from "../acl/schema.ts";
import type { AccessConfig } from "../acl/load.ts";
import { init, INIT_USAGE } from "./init.ts";

const USAGE = [
  "usage: ferry check <access-config.ts> [--windows a,b] [--strict] [--json]",
  "       ferry schema <access-config.ts> [out.json]",
  `       ${INIT_USAGE}`,
  "       ferry dev [dir] [--no-window] [--no-typecheck] [--port N]",
  "       ferry start [dir] [--no-window] [--port N]",
].join("\n");

/** The flags `dev` and `start` share; throws a usage error for anything else. */
function appArgs(argv: string[], devFlags: boolean) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "no-window": { type: "boolean", default: false },
      port: { type: "string" },
      ...(devFlags ? { "no-typecheck": { type: "boolean" as const, default: false } } : {}),
    },
  });
  if (positionals.length > 1) throw new Error(`one app folder, got ${positionals.join(" ")}`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))
    throw new Error(`--port must be 0..65535, got ${values.port}`);
  return {
    dir: positionals[0] ?? process.cwd(),
    noWindow: values["no-window"] === true,
    typecheck: (values as { "no-typecheck"?: boolean })["no-typecheck"] !== true,
    ...(port === undefined ? {} : { port }),
  };
}

async function runApp(command: "dev" | "start", argv: string[]): Promise<number> {
  let args;
  try {
    args = appArgs(argv, command === "dev");
  } catch (err) {
    console.error(`ferry ${command}: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const code = command === "dev" ? await (await import("./dev.ts")).dev(args) : await (await import("./start.ts")).start(args);
  process.exit(code); // the app is done: nothing it left behind keeps ferry running
}

async function loadConfig(file: string): Promise<AccessConfig | undefined> {
  const mod = (await importTs(file)) as { default?: AccessConfig };
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
  if (command === "dev" || command === "start") return runApp(command, rest);
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
