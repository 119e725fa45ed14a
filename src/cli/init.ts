/**
 * `ferry init [dir] --template vanilla-ts|react-ts|vue-ts [--name N] [--identifier id] [--force]`:
 * writes a new app from one of the templates shipped in the package (`templates/shared` and
 * `templates/<template>` over it), with its package name, identifier and product name filled in.
 * In a terminal, without `--template`, it asks for the name and the template.
 */

import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { AppConfigError, parseAppConfig } from "../config/app-config.ts";
import { identifierProblem } from "../config/dirs.ts";

/** The templates `ferry init` can write. */
export const TEMPLATES = ["vanilla-ts", "react-ts", "vue-ts"] as const;
/** One of `TEMPLATES`. */
export type TemplateName = (typeof TEMPLATES)[number];

const FRONTEND: Record<TemplateName, string> = { "vanilla-ts": "vanilla TypeScript", "react-ts": "React", "vue-ts": "Vue" };

/** The usage line of `ferry init`, also shown by `ferry --help`. */
export const INIT_USAGE = `ferry init [dir] [--template ${TEMPLATES.join("|")}] [--name N] [--identifier com.example.app] [--force]`;

/** The package's own folder: `templates/` and `package.json` sit there (from `dist/cli/` and from `src/cli/`). */
const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Files stored under another name because npm would drop or rename them in the tarball. */
const STORED_AS: Record<string, string> = { _gitignore: ".gitignore" };

/** A refusal of `ferry init`: its message for the terminal and the exit status (1: cannot write, 2: bad usage). */
export class InitError extends Error {
  /** The exit status. */
  readonly exitCode: 1 | 2;
  /** @param exitCode 1 when the target cannot be written, 2 for bad arguments. */
  constructor(message: string, exitCode: 1 | 2) {
    super(message);
    this.name = "InitError";
    this.exitCode = exitCode;
  }
}

/** What `initApp` needs. */
export interface InitOptions {
  /** The folder to write (created when missing). */
  dir: string;
  template: TemplateName;
  /** The app's name (product name and window title); default: the folder's name. */
  name?: string;
  /** Reverse-domain identifier; default `com.example.<name>`. */
  identifier?: string;
  /** Write into a folder that is not empty (files of the template replace files of the same name). */
  force?: boolean;
  /** Where the templates are; default: the package's `templates/`. */
  templates?: string;
  /** The `ferry` dependency written into package.json; default `^<this ferry's version>`. */
  ferryVersion?: string;
}

/** What `initApp` wrote. */
export interface InitResult {
  dir: string;
  template: TemplateName;
  /** The product name. */
  name: string;
  /** The npm package name. */
  packageName: string;
  identifier: string;
  /** Paths written, relative to `dir`. */
  files: string[];
}

/** An npm package name from an app name: lower case, anything but letters, digits, `-`, `.`, `_`, `~` made `-`. */
export function packageNameOf(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[-._~]+|[-._~]+$/g, "")
    .slice(0, 214);
}

/** The default identifier for a package name: `com.example.<letters and digits>`. */
export function defaultIdentifier(packageName: string): string {
  const last = packageName.replace(/[^a-z0-9]/g, "");
  return `com.example.${/^[a-z]/.test(last) ? last : `app${last}`}`;
}

const isTemplate = (t: string): t is TemplateName => (TEMPLATES as readonly string[]).includes(t);

/** Every file under `dir`, relative to it, `/`-separated. */
async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(dir, path)));
    else out.push(path);
  }
  return out;
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * Writes a new app into `options.dir` from a template. Checks everything first and writes
 * nothing when something is wrong: a bad name or identifier (exit status 2), a folder that
 * is not empty without `force`, or a file where the folder should be (exit status 1).
 */
export async function initApp(options: InitOptions): Promise<InitResult> {
  const { template } = options;
  if (!isTemplate(template)) throw new InitError(`unknown template ${JSON.stringify(template)}: use one of ${TEMPLATES.join(", ")}`, 2);
  const dir = resolve(options.dir);
  const name = (options.name ?? basename(dir)).trim();
  const packageName = packageNameOf(name);
  if (!packageName) throw new InitError(`the app name ${JSON.stringify(name)} needs at least one letter or digit`, 2);
  const identifier = options.identifier ?? defaultIdentifier(packageName);
  const problem = identifierProblem(identifier);
  if (problem) throw new InitError(`--identifier: ${problem}`, 2);

  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new InitError(`${dir} is a file, not a folder: pick another place for the app`, 1);
  if (info && !options.force) {
    const present = await readdir(dir);
    if (present.length > 0) {
      const shown = present.slice(0, 3).join(", ") + (present.length > 3 ? ", …" : "");
      throw new InitError(`${dir} is not empty (${shown}): pick a new folder, or pass --force to write the template's files into it`, 1);
    }
  }

  const templates = options.templates ?? join(PACKAGE_ROOT, "templates");
  const ferryVersion =
    options.ferryVersion ?? `^${(JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version}`;
  // The template's own files replace the shared ones of the same path.
  const sources = new Map<string, string>();
  for (const base of [join(templates, "shared"), join(templates, template)]) {
    if (!existsSync(base)) throw new InitError(`the ${template} template is missing from ${templates} (a broken install of ferry?)`, 1);
    for (const file of await filesUnder(base)) {
      const last = file.split("/").pop()!;
      const target = last in STORED_AS ? file.slice(0, -last.length) + STORED_AS[last]! : file;
      sources.set(target, join(base, file));
    }
  }

  const values: Record<string, string> = { productName: name, identifier, packageName, frontend: FRONTEND[template] };
  const outputs = new Map<string, string>();
  for (const [target, source] of sources) {
    let text = await readFile(source, "utf8");
    if (target === "package.json") {
      const pkg = JSON.parse(text) as { name: string; dependencies: Record<string, string> };
      pkg.name = packageName;
      pkg.dependencies.ferry = ferryVersion;
      text = JSON.stringify(pkg, null, 2) + "\n";
    } else if (target === "ferry.conf.json") {
      const conf = JSON.parse(text) as { identifier: string; productName: string; app: { windows: { title: string }[] } };
      conf.identifier = identifier;
      conf.productName = name;
      for (const w of conf.app.windows) w.title = name;
      // The rules ferry applies when it reads the config: a name it would refuse is refused now.
      try {
        parseAppConfig(conf, join(dir, target));
      } catch (err) {
        if (!(err instanceof AppConfigError)) throw err;
        throw new InitError(err.problems.map((p) => `${p.path === "productName" ? "--name" : p.path}: ${p.message}`).join("\n"), 2);
      }
      text = JSON.stringify(conf, null, 2) + "\n";
    } else {
      const html = target.endsWith(".html");
      text = text.replace(/\{\{(productName|identifier|packageName|frontend)\}\}/g, (_, key: string) =>
        html ? escapeHtml(values[key]!) : values[key]!,
      );
    }
    outputs.set(target, text);
  }

  for (const [target, text] of outputs) {
    const path = join(dir, target);
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, text);
  }
  return { dir, template, name, packageName, identifier, files: [...outputs.keys()].sort() };
}

/** Streams the prompt reads and writes (a terminal: `process.stdin`, `process.stdout`). */
export interface PromptIO {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/**
 * Asks for the app's name and template, one line each; an empty answer takes the default, a
 * template may be given by name or number. Rejects when the input ends before both are known.
 */
export async function promptInit(io: PromptIO, defaults: { name: string }): Promise<{ name: string; template: TemplateName }> {
  const rl = createInterface({ input: io.input, output: io.output, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (question: string): Promise<string> => {
    io.output.write(question);
    const next = await lines.next();
    if (next.done) throw new InitError("ferry init: no answer (the input ended)", 2);
    return String(next.value).trim();
  };
  try {
    let name = "";
    while (!name) {
      name = (await ask(`App name (${defaults.name}): `)) || defaults.name;
      if (!packageNameOf(name)) {
        io.output.write("  the name needs at least one letter or digit\n");
        name = "";
      }
    }
    const menu = TEMPLATES.map((t, i) => `  ${i + 1}. ${t}`).join("\n");
    for (;;) {
      const answer = await ask(`Template:\n${menu}\nPick one (1): `);
      const template = answer === "" ? TEMPLATES[0] : (TEMPLATES[Number(answer) - 1] ?? answer);
      if (isTemplate(template)) return { name, template };
      io.output.write(`  ${JSON.stringify(answer)} is not a template: answer 1 to ${TEMPLATES.length} or a name\n`);
    }
  } finally {
    rl.close();
  }
}

const quoteArg = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The `ferry init` command: parses `argv`, prompts in a terminal, writes the app; resolves to the exit status. */
export async function init(argv: string[], io: PromptIO & { tty: boolean } = defaultIO()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        template: { type: "string", short: "t" },
        name: { type: "string" },
        identifier: { type: "string" },
        force: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    console.error(`ferry init: ${(err as Error).message}\nusage: ${INIT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(`usage: ${INIT_USAGE}`);
    return 0;
  }
  if (positionals.length > 1) {
    console.error(`ferry init: one folder at most, got ${positionals.join(" ")}\nusage: ${INIT_USAGE}`);
    return 2;
  }
  let name = values.name;
  let template = values.template;
  let dir = positionals[0];
  try {
    if (template === undefined) {
      if (!io.tty) {
        console.error(`ferry init: pass --template (${TEMPLATES.join(", ")}); it asks only in a terminal\nusage: ${INIT_USAGE}`);
        return 2;
      }
      const answers = await promptInit(io, { name: name ?? (dir ? basename(resolve(dir)) : "ferry-app") });
      ({ name, template } = answers);
    }
    if (!isTemplate(template)) {
      console.error(`ferry init: unknown template ${JSON.stringify(template)}: use one of ${TEMPLATES.join(", ")}`);
      return 2;
    }
    dir ??= name !== undefined && packageNameOf(name) ? packageNameOf(name) : "ferry-app";
    const result = await initApp({
      dir,
      template,
      ...(name !== undefined ? { name } : {}),
      ...(values.identifier !== undefined ? { identifier: values.identifier } : {}),
      force: values.force,
    });
    const where = relative(process.cwd(), result.dir);
    console.log(`Created ${result.name} (${result.template}, ${result.identifier}) in ${result.dir}\n\nNext:`);
    if (where) console.log(`  cd ${quoteArg(where)}`);
    console.log("  npm install\n  npm run dev");
    return 0;
  } catch (err) {
    if (!(err instanceof InitError)) throw err;
    console.error(`ferry init: ${err.message}`);
    return err.exitCode;
  }
}

function defaultIO(): PromptIO & { tty: boolean } {
  return { input: process.stdin, output: process.stdout, tty: Boolean(process.stdin.isTTY && process.stdout.isTTY) };
}
