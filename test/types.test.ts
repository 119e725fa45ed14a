/**
 * Types end to end (docs/types.md), compiled by TypeScript 5.9 (the repo's) and 7 (from
 * test/package/toolchain, installed on first use as the package test does):
 * - test/types/ must compile: a backend and a page typed by its `App` type alone, exact
 *   types checked with `Equal`, each `@ts-expect-error` meeting its error;
 * - test/types/fail/ must not: each line annotated `// error: TEXT` gets an error whose
 *   diagnostic holds TEXT (naming the command, key or event at fault), and nothing else fails.
 * The fixtures import the built package (`ferry`, `ferry/client`), as a user's code does.
 */

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const toolchain = join(repo, "test/package/toolchain");
const COMPILERS = [
  ["TypeScript 5.9", join(repo, "node_modules/typescript/bin/tsc"), /^Version 5\.9\./],
  ["TypeScript 7", join(toolchain, "node_modules/typescript7/bin/tsc"), /^Version 7\./],
] as const;

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

/** One diagnostic: where, and its whole text (the message and the lines that elaborate it). */
interface Diagnostic {
  file: string;
  line: number;
  text: string;
}

/** Parses `tsc --pretty false` output: `file(line,col): error TSnnnn: message`, continuation lines indented. */
function parseDiagnostics(out: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const line of out.split("\n")) {
    const m = /^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/.exec(line);
    if (m) found.push({ file: m[1]!.replaceAll("\\", "/"), line: Number(m[2]), text: m[3]! });
    else if (line.startsWith(" ") && found.length > 0) found[found.length - 1]!.text += `\n${line.trim()}`;
  }
  return found;
}

/** The `// error: TEXT` annotations of a file: the line after each, and TEXT. */
async function expectedErrors(file: string): Promise<{ line: number; text: string }[]> {
  const lines = (await readFile(join(repo, file), "utf8")).split("\n");
  return lines.flatMap((l, i) => {
    const m = /^\s*\/\/ error: (.+)$/.exec(l);
    return m ? [{ line: i + 2, text: m[1]!.trim() }] : [];
  });
}

before(async () => {
  if (existsSync(COMPILERS[1][1])) return;
  const r = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], toolchain);
  assert.equal(r.code, 0, `installing test/package/toolchain (TypeScript 7) failed:\n${r.out}`);
});

for (const [name, tsc, version] of COMPILERS) {
  describe(name, () => {
    test("is the compiler it says", async () => {
      const r = await run(process.execPath, [tsc, "--version"], repo);
      assert.match(r.out.trim(), version);
    });

    test("test/types/ compiles: typed commands, channels, errors and events, @ts-expect-error lines all met", async () => {
      const r = await run(process.execPath, [tsc, "-p", "test/types/tsconfig.json", "--pretty", "false"], repo);
      assert.equal(r.code, 0, `${name} found errors in code that must compile:\n${r.out}`);
    });

    test("test/types/fail/ fails exactly where annotated, each diagnostic naming what is wrong", async () => {
      const r = await run(process.execPath, [tsc, "-p", "test/types/fail/tsconfig.json", "--pretty", "false"], repo);
      assert.notEqual(r.code, 0, "the failing fixtures compiled");
      const got = parseDiagnostics(r.out);
      let expectedCount = 0;
      for (const file of ["test/types/fail/page.ts", "test/types/fail/backend.ts"]) {
        const expected = await expectedErrors(file);
        assert.ok(expected.length >= 4, `${file} has its annotations`);
        expectedCount += expected.length;
        for (const e of expected) {
          const at = got.filter((d) => d.file === file && d.line === e.line);
          assert.ok(at.length > 0, `${file}:${e.line}: expected an error containing ${JSON.stringify(e.text)}, got none`);
          assert.ok(
            at.some((d) => d.text.includes(e.text)),
            `${file}:${e.line}: expected ${JSON.stringify(e.text)} in:\n${at.map((d) => d.text).join("\n")}`,
          );
        }
        const lines = new Set(expected.map((e) => e.line));
        const stray = got.filter((d) => d.file === file && !lines.has(d.line));
        assert.deepEqual(stray, [], `${file}: errors where none was expected`);
      }
      assert.equal(new Set(got.map((d) => `${d.file}:${d.line}`)).size, expectedCount, `errors outside the fixtures:\n${r.out}`);
    });
  });
}
