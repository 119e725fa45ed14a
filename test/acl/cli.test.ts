/**
 * `ferry check` and `ferry schema` as a user runs them: the real bin, real files.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { schemaText } from "../../scripts/gen-schema.ts";

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../..", import.meta.url));
const bin = join(repo, "bin/ferry.mjs");

async function ferry(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: repo });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function appDir(files: Record<string, unknown>, config: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-check-"));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  }
  await writeFile(join(dir, "access.mjs"), `export default ${JSON.stringify({ root: dir, ...config })};\n`);
  return dir;
}

test("ferry check passes the tutorial", async () => {
  const r = await ferry("check", "examples/tutorial/access.ts");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 capabilities, 0 error\(s\)/);
  assert.match(r.stdout, /warning: no capability grants "plugin:dialog\|save" \(grant it with "dialog:allow-save"\)/);
});

test("ferry check reports unknown identifiers with did-you-mean, unmatched capabilities, ungranted commands", async () => {
  const dir = await appDir(
    {
      "capabilities/default.json": {
        identifier: "default",
        windows: ["main"],
        permissions: ["core:default", "alow-greet", "core:event:allow-listn"],
      },
      "capabilities/orphan.json": { identifier: "orphan", windows: ["settings"], permissions: ["allow-greet"] },
      "permissions/app.json": { set: [{ identifier: "talk", permissions: ["allow-greet", "allow-shout"] }] },
    },
    { commands: ["greet", "save_note"], windows: ["main"] },
  );
  try {
    const r = await ferry("check", join(dir, "access.mjs"));
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /error: capability "default" \(capabilities\/default\.json\): unknown permission "alow-greet"; did you mean "allow-greet"\?/,
    );
    assert.match(r.stdout, /unknown permission "core:event:allow-listn"; did you mean "core:event:allow-listen"\?/);
    assert.match(r.stdout, /error: permission set "talk": unknown permission "allow-shout"/);
    assert.match(r.stdout, /warning: capability "orphan" \(capabilities\/orphan\.json\) matches none of the app's windows \(main\)/);
    assert.match(r.stdout, /warning: no capability grants "save_note" \(grant it with "allow-save-note"\)/);
    const json = JSON.parse((await ferry("check", join(dir, "access.mjs"), "--json")).stdout);
    assert.deepEqual(
      json.errors.map((e: { identifier: string }) => e.identifier),
      ["alow-greet", "core:event:allow-listn", "allow-shout"],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("ferry check names the file of a broken capability", async () => {
  const dir = await appDir(
    { "capabilities/bad.json": "{ not json", "capabilities/worse.json": { identifier: "x", windows: "main", permissions: [] } },
    { commands: [] },
  );
  try {
    const r = await ferry("check", join(dir, "access.mjs"));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error: capabilities\/bad\.json: not valid JSON/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("ferry check reports fs scope entries that can never match", async () => {
  const dir = await appDir(
    {
      "capabilities/default.json": {
        identifier: "default",
        windows: ["main"],
        permissions: [{ identifier: "fs:allow-read-text-file", allow: ["$APPDTA/**", "notes/*"], deny: [{ path: "$HOME/../x" }] }],
      },
    },
    { commands: [], windows: ["main"] },
  );
  // The config module has no fs plugin object: give it one by name with the default variables.
  await writeFile(
    join(dir, "access.mjs"),
    `export default ${JSON.stringify({ root: dir, commands: [], windows: ["main"], plugins: [{ name: "fs", commands: ["read_text_file"] }] })};\n`,
  );
  try {
    const r = await ferry("check", join(dir, "access.mjs"));
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /error: capability "default" \(capabilities\/default\.json\), fs:allow-read-text-file: scope entry "\$APPDTA\/\*\*" uses unknown variable \$APPDTA \(did you mean \$APPDATA\?\)/,
    );
    assert.match(r.stdout, /scope entry "notes\/\*" is not an absolute path/);
    assert.match(r.stdout, /scope entry "\$HOME\/..\/x" contains "\.\."/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("usage errors exit 2", async () => {
  assert.equal((await ferry()).code, 2);
  assert.equal((await ferry("nope")).code, 2);
  assert.equal((await ferry("check")).code, 2);
});

test("the shipped JSON Schema is current, and ferry schema adds the app's permissions", async () => {
  const shipped = await readFile(join(repo, "schema/capability.schema.json"), "utf8");
  assert.equal(shipped, schemaText(), "run `npx tsx scripts/gen-schema.ts`");
  const ids = JSON.parse(shipped).definitions.identifier.anyOf.map((a: { const?: string }) => a.const);
  for (const id of ["core:default", "core:event:default", "fs:allow-read-text-file", "dialog:allow-open", "fs:scope-home-recursive"])
    assert.ok(ids.includes(id), id);
  const r = await ferry("schema", "examples/tutorial/access.ts");
  assert.equal(r.code, 0, r.stderr);
  const appIds = JSON.parse(r.stdout).definitions.identifier.anyOf.map((a: { const?: string }) => a.const);
  assert.ok(appIds.includes("allow-read-file") && appIds.includes("deny-start-job"));
});
