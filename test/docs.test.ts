/**
 * The docs show code that works: every `ts` / `typescript` / `tsx` block of README.md and
 * docs/*.md type-checks under the repo's strict tsconfig, each block its own ES module that
 * imports `ferry`, `ferry/acl` … by name, through package.json `exports` into dist/, as an
 * app's code would. And every export of a public entry point has a doc comment.
 *
 * Blocks are type-checked in one program as files that exist only in memory, beside the
 * repo's package.json (so `ferry` resolves to itself and `zod` from node_modules) without
 * writing anything into the tree. A block that is a fragment gets a prelude below that
 * declares only what the text around it assumes; a fence's language is never changed to
 * dodge the check.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * What a fragment uses without declaring it, keyed by `<doc file>#<n>`: the n-th TypeScript
 * block of that file, counting from 1. Every key must name a block that exists.
 */
const PRELUDES: Record<string, string> = {
  // Plugins and access beside the commands of README.md's backend.
  "docs/capabilities.md#1": `import type { CommandInput } from "ferry";
declare const commands: Record<string, CommandInput<undefined>>;`,
  // A page's call site: the path it asked for and what the app shows when it is missing.
  "docs/errors.md#1": `declare const path: string;
declare function showMissing(path: string): void;`,
};

const TS_LANGS = new Map([
  ["ts", ".ts"],
  ["typescript", ".ts"],
  ["mts", ".mts"],
  ["tsx", ".tsx"],
]);

interface Block {
  /** `README.md#1`: the doc file (relative to the repo) and the block's number among its TypeScript blocks. */
  key: string;
  doc: string;
  /** 1-based line of the opening fence. */
  fenceLine: number;
  code: string;
  ext: string;
}

/** The TypeScript blocks of one Markdown file, with the line of each opening fence. */
function tsBlocks(doc: string): Block[] {
  const lines = readFileSync(join(root, doc), "utf8").split("\n");
  const blocks: Block[] = [];
  let open: { fence: string; lang: string; line: number; body: string[] } | undefined;
  lines.forEach((line, i) => {
    if (!open) {
      const m = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
      if (m) open = { fence: m[1]!, lang: m[2]!.toLowerCase(), line: i + 1, body: [] };
      return;
    }
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
    if (close && close[1]![0] === open.fence[0] && close[1]!.length >= open.fence.length) {
      const ext = TS_LANGS.get(open.lang);
      if (ext) {
        const n = blocks.length + 1;
        blocks.push({ key: `${doc}#${n}`, doc, fenceLine: open.line, code: open.body.join("\n"), ext });
      }
      open = undefined;
      return;
    }
    open.body.push(line);
  });
  assert.equal(open, undefined, `${doc}: a code fence opened at line ${open?.line} never closes`);
  return blocks;
}

const docFiles = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
];
const blocks = docFiles.flatMap(tsBlocks);

/** The public entry points: package.json's `types` conditions, as the source files they are built from. */
function entrySources(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, unknown> };
  const out: string[] = [];
  for (const target of Object.values(pkg.exports)) {
    if (typeof target !== "object" || target === null) continue;
    const types = (target as { types?: string }).types;
    if (types) out.push(join(root, types.replace(/^\.\/dist\//, "src/").replace(/\.d\.ts$/, ".ts")));
  }
  return out;
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(root, "tsconfig.json");
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  assert.equal(config.error, undefined, "tsconfig.json reads");
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
  // Every block is a module of its own, even one without import or export.
  return { ...parsed.options, noEmit: true, moduleDetection: ts.ModuleDetectionKind.Force };
}

interface Source {
  block: Block;
  /** Lines the prelude adds above the block's first line. */
  preludeLines: number;
}

/**
 * Where a block lives in memory: a folder per doc file, so a block whose first line names
 * its file (`// backend.ts`) can be imported by the blocks beside it (`import type { App }
 * from "./backend.ts"`), as the text around them says.
 */
function blockFile(block: Block): string {
  const named = /^\/\/ ([\w-]+\.(?:ts|mts|tsx))\s*$/.exec(block.code.split("\n", 1)[0]!);
  const name = named ? named[1]! : `block-${block.key.split("#")[1]}${block.ext}`;
  return join(root, "test", ".docs-blocks", block.doc.replace(/[^\w]+/g, "_"), name);
}

/** One program holding every block (in memory) and every public entry point's source. */
function buildProgram() {
  const options = compilerOptions();
  const sources = new Map<string, Source>();
  const text = new Map<string, string>();
  for (const block of blocks) {
    const prelude = PRELUDES[block.key];
    const file = blockFile(block);
    assert.ok(!text.has(file), `${block.key}: another block of ${block.doc} is named ${file}`);
    text.set(file, prelude === undefined ? block.code : `${prelude}\n${block.code}`);
    sources.set(file, { block, preludeLines: prelude === undefined ? 0 : prelude.split("\n").length });
  }
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => text.has(f) || fileExists.call(host, f);
  // The blocks' folders exist in memory only.
  const folders = new Set([...text.keys()].map((f) => dirname(f)));
  const { directoryExists } = host;
  host.directoryExists = (d) => folders.has(d) || (directoryExists?.call(host, d) ?? true);
  host.readFile = (f) => text.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, languageVersion, onError, shouldCreate) => {
    const code = text.get(f);
    return code === undefined
      ? getSourceFile.call(host, f, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(f, code, languageVersion, true);
  };
  const entries = entrySources();
  const program = ts.createProgram({ rootNames: [...text.keys(), ...entries], options, host });
  return { program, sources, entries };
}

const started = performance.now();
const { program, sources, entries } = buildProgram();

/** `README.md:41 (block README.md#1 at line 23): TS7031 Binding element 'app' …` */
function describe(d: ts.Diagnostic): string {
  const message = `TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  if (!d.file || d.start === undefined) return message;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const source = sources.get(d.file.fileName);
  if (!source) return `${relative(root, d.file.fileName)}:${line + 1}:${character + 1}: ${message}`;
  const { block, preludeLines } = source;
  const where =
    line < preludeLines
      ? `the prelude of ${block.key} (test/docs.test.ts), line ${line + 1}`
      : `${block.doc}:${block.fenceLine + 1 + line - preludeLines}:${character + 1}`;
  return `${where} (block ${block.key} at line ${block.fenceLine}): ${message}`;
}

test("README.md and docs/ have TypeScript blocks, and every prelude names one of them", () => {
  assert.ok(blocks.length >= 4, `found only ${blocks.map((b) => b.key).join(", ")}`);
  const keys = new Set(blocks.map((b) => b.key));
  for (const key of Object.keys(PRELUDES)) assert.ok(keys.has(key), `PRELUDES has "${key}", which is no TypeScript block`);
});

test("every TypeScript block in README.md and docs/ compiles under the repo's strict tsconfig", (t) => {
  // Blocks import `ferry` as an app does: through package.json `exports` into dist/.
  assert.ok(existsSync(join(root, "dist/backend/index.d.ts")), "dist/ is not built: run npm run build first");
  const problems = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map(describe);
  for (const file of sources.keys()) {
    const sf = program.getSourceFile(file)!;
    problems.push(...[...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map(describe));
  }
  assert.equal(problems.length, 0, `${problems.length} problem(s) in doc blocks:\n${problems.join("\n")}`);
  t.diagnostic(`type-checked ${blocks.map((b) => b.key).join(", ")} in ${Math.round(performance.now() - started)} ms`);
});

test("every export of a public entry point has a doc comment", () => {
  const checker = program.getTypeChecker();
  const missing: string[] = [];
  assert.ok(entries.length >= 9, `entry points: ${entries.join(", ")}`);
  for (const entry of entries) {
    const sf = program.getSourceFile(entry);
    assert.ok(sf, `${entry} is in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(sf)!;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (target.getDocumentationComment(checker).length > 0) continue;
      const decl = target.declarations?.[0];
      const at = decl
        ? `${relative(root, decl.getSourceFile().fileName)}:${decl.getSourceFile().getLineAndCharacterOfPosition(decl.getStart()).line + 1}`
        : "?";
      missing.push(`${relative(root, entry)}: ${exported.name} (declared at ${at})`);
    }
  }
  assert.equal(missing.length, 0, `exports without a doc comment:\n${missing.join("\n")}`);
});
