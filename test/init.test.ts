/**
 * `ferry init` from the built package's command (bin/ferry.mjs): what it writes, what it
 * refuses and why, and its prompt in a real pseudo-terminal (util-linux `script`). The apps
 * it writes are installed, type-checked, tested and built in test/package/init.test.ts.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { until } from "./support/wait.ts";
import { run } from "./package/helpers.ts";

const FERRY = fileURLToPath(new URL("../bin/ferry.mjs", import.meta.url));
let tmp = "";

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferry-init-cli-"));
});
after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Runs `ferry …` in `cwd` with no terminal (stdin is empty, stdout a pipe). */
const ferry = (args: string[], cwd: string) => run(process.execPath, [FERRY, ...args], cwd);

/** A fresh empty folder under the temp dir. */
async function folder(name: string): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(dir);
  return dir;
}

const readJson = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Record<string, any>;

test("--template writes the app with its name, identifier and product name filled in, and prints the next steps", async () => {
  const cwd = await folder("flags");
  const r = await ferry(["init", "notes", "--template", "vanilla-ts", "--name", "My Notes", "--identifier", "org.acme.notes"], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Created My Notes \(vanilla-ts, org\.acme\.notes\)/);
  assert.match(r.stdout, /^ {2}cd notes\n {2}npm install\n {2}npm run dev$/m);
  const app = join(cwd, "notes");
  const pkg = await readJson(join(app, "package.json"));
  assert.equal(pkg.name, "my-notes");
  assert.match(pkg.dependencies.ferry, /^\^\d+\.\d+\.\d+/);
  const conf = await readJson(join(app, "ferry.conf.json"));
  assert.equal(conf.identifier, "org.acme.notes");
  assert.equal(conf.productName, "My Notes");
  assert.equal(conf.app.windows[0].title, "My Notes");
  assert.match(await readFile(join(app, "index.html"), "utf8"), /<title>My Notes<\/title>/);
  assert.match(await readFile(join(app, "README.md"), "utf8"), /^# My Notes$/m);
  assert.ok(existsSync(join(app, ".gitignore")) && !existsSync(join(app, "_gitignore")));
  // vanilla-ts gets the shared files and its own, not another template's.
  assert.ok(existsSync(join(app, "src/main.ts")) && !existsSync(join(app, "src/App.tsx")) && !existsSync(join(app, "src/App.vue")));
});

test("a folder that is not empty is refused (exit 1, saying why) and left as it was; --force writes into it", async () => {
  const cwd = await folder("nonempty");
  const app = join(cwd, "app");
  await mkdir(app);
  await writeFile(join(app, "notes.txt"), "mine");
  const r = await ferry(["init", "app", "--template", "react-ts"], cwd);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /app is not empty \(notes\.txt\): pick a new folder, or pass --force/);
  assert.deepEqual(await readdir(app), ["notes.txt"]);

  const forced = await ferry(["init", "app", "--template", "react-ts", "--force"], cwd);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await readFile(join(app, "notes.txt"), "utf8"), "mine");
  assert.ok(existsSync(join(app, "src/App.tsx")));
});

test("a bad identifier or name is refused (exit 2) before anything is written", async () => {
  const cwd = await folder("bad");
  const id = await ferry(["init", "a", "--template", "vue-ts", "--identifier", "com..example"], cwd);
  assert.equal(id.code, 2);
  assert.match(id.stderr, /--identifier: "com\.\.example" is not an app identifier: use reverse-domain form/);
  const digits = await ferry(["init", "a", "--template", "vue-ts", "--identifier", "com.example.1app"], cwd);
  assert.equal(digits.code, 2);
  const name = await ferry(["init", "a", "--template", "vue-ts", "--name", "a:b"], cwd);
  assert.equal(name.code, 2);
  assert.match(name.stderr, /--name: expected a name without/);
  const empty = await ferry(["init", "a", "--template", "vue-ts", "--name", "!!!"], cwd);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /needs at least one letter or digit/);
  const template = await ferry(["init", "a", "--template", "svelte"], cwd);
  assert.equal(template.code, 2);
  assert.match(template.stderr, /unknown template "svelte": use one of vanilla-ts, react-ts, vue-ts/);
  assert.deepEqual(await readdir(cwd), []);
});

test("without a terminal and without --template it fails with the usage (exit 2)", async () => {
  const cwd = await folder("notty");
  const r = await ferry(["init", "app"], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /pass --template \(vanilla-ts, react-ts, vue-ts\); it asks only in a terminal/);
  assert.match(r.stderr, /usage: ferry init \[dir\]/);
  assert.deepEqual(await readdir(cwd), []);
});

test("ferry --help lists init", async () => {
  const r = await ferry(["--help"], tmp);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /ferry init \[dir\] \[--template vanilla-ts\|react-ts\|vue-ts\]/);
});

test("in a terminal without flags it asks for the name and the template, again after a wrong answer", async () => {
  const cwd = await folder("pty");
  // `script` gives the command a pseudo-terminal: stdin and stdout are TTYs, as in a shell.
  const child = spawn("script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(FERRY)} init`, "/dev/null"], {
    cwd,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
  const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
  const answer = async (prompt: string, text: string, seen = 1) => {
    await until(() => out.split(prompt).length > seen, `the prompt ${JSON.stringify(prompt)}\n${out}`, 20_000);
    child.stdin.write(`${text}\n`);
  };
  await answer("App name (ferry-app): ", "Pad Two");
  await answer("Pick one (1): ", "7");
  await answer("Pick one (1): ", "vue-ts", 2);
  assert.equal(await closed, 0, out);
  assert.match(out, /"7" is not a template: answer 1 to 3 or a name/);
  assert.match(out, /Created Pad Two \(vue-ts, com\.example\.padtwo\)/);
  const app = join(cwd, "pad-two");
  assert.equal((await readJson(join(app, "ferry.conf.json"))).productName, "Pad Two");
  assert.ok(existsSync(join(app, "src/App.vue")));
});
