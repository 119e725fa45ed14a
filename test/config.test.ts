/**
 * The app config as an app loads it: real files in a temp folder, through `ferry/config`.
 * Tauri's own example configs (test/fixtures/tauri) are read as they are.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { AppConfigError, appDirs, loadAppConfig } from "ferry/config";
import { defaultPathVariables } from "ferry/acl";

const repo = fileURLToPath(new URL("..", import.meta.url));
const fixtures = join(repo, "test/fixtures/tauri");

async function withDir(files: Record<string, string>, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-config-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      await mkdir(join(dir, name, ".."), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function refusal(p: Promise<unknown>): Promise<AppConfigError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppConfigError, `expected an AppConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the config to be refused");
}

test("a folder is searched for ferry.conf.json, then tauri.conf.json, then src-tauri/tauri.conf.json", async () => {
  const conf = (id: string) => JSON.stringify({ identifier: id });
  await withDir(
    { "ferry.conf.json": conf("a.ferry"), "tauri.conf.json": conf("a.tauri"), "src-tauri/tauri.conf.json": conf("a.src") },
    async (dir) => {
      const c = await loadAppConfig(dir);
      assert.equal(c.identifier, "a.ferry");
      assert.equal(c.file, join(dir, "ferry.conf.json"));
      assert.equal(c.dir, dir);
      await rm(join(dir, "ferry.conf.json"));
      assert.equal((await loadAppConfig(dir)).identifier, "a.tauri");
      await rm(join(dir, "tauri.conf.json"));
      const nested = await loadAppConfig(dir);
      assert.equal(nested.identifier, "a.src");
      assert.equal(nested.dir, join(dir, "src-tauri"));
      await rm(join(dir, "src-tauri"), { recursive: true });
      const none = await refusal(loadAppConfig(dir));
      assert.equal(none.message, `${dir}: no app config here: looked for ferry.conf.json, tauri.conf.json, src-tauri/tauri.conf.json`);
    },
  );
});

test("the current folder is the default, and a file can be named directly", async () => {
  await withDir({ "ferry.conf.json": '{ "identifier": "cwd.app" }', "other.json": '{ "identifier": "named.app" }' }, async (dir) => {
    const saved = process.cwd();
    process.chdir(dir);
    try {
      assert.equal((await loadAppConfig()).identifier, "cwd.app");
    } finally {
      process.chdir(saved);
    }
    assert.equal((await loadAppConfig(join(dir, "other.json"))).identifier, "named.app");
    const missing = await refusal(loadAppConfig(join(dir, "nope.json")));
    assert.match(missing.message, /nope\.json: no such file or folder$/);
  });
});

test("bad JSON and bad fields are refused with the file, the line and column, the field", async () => {
  await withDir({ "ferry.conf.json": '{\n  "identifier": "x.y",\n  "app": { "windows": [ { "width": 0 } ] },\n}\n' }, async (dir) => {
    const syntax = await refusal(loadAppConfig(dir));
    assert.match(syntax.message, new RegExp(`^${join(dir, "ferry.conf.json")}: invalid JSON at line 4, column 1: `));
    await writeFile(join(dir, "ferry.conf.json"), '{ "identifier": "x.y", "app": { "windows": [ { "width": 0 } ] } }');
    const field = await refusal(loadAppConfig(dir));
    assert.equal(
      field.message,
      `${join(dir, "ferry.conf.json")}: app.windows[0].width: expected a number above 0 (logical pixels), got number 0`,
    );
  });
});

test("version may name a package.json, as Tauri allows", async () => {
  await withDir(
    {
      "package.json": '{ "name": "x", "version": "3.4.5" }',
      "src-tauri/tauri.conf.json": '{ "identifier": "x.y", "version": "../package.json" }',
    },
    async (dir) => {
      assert.equal((await loadAppConfig(dir)).version, "3.4.5");
      await writeFile(join(dir, "package.json"), '{ "name": "x" }');
      const err = await refusal(loadAppConfig(dir));
      assert.match(err.message, /: version: names .*package\.json, which has no "version" string$/);
    },
  );
});

test("Tauri's API example config is read as-is: supported fields used, the rest reported", async () => {
  await withDir({}, async (dir) => {
    await mkdir(join(dir, "src-tauri"));
    await copyFile(join(fixtures, "api.tauri.conf.json"), join(dir, "src-tauri/tauri.conf.json"));
    const c = await loadAppConfig(dir);
    assert.equal(c.identifier, "com.tauri.api");
    assert.equal(c.productName, "Tauri API");
    assert.equal(c.version, "1.0.0");
    assert.deepEqual(c.app.windows, []);
    assert.equal(c.app.withGlobalTauri, true);
    assert.deepEqual(c.build, {
      frontendDist: "../dist",
      devUrl: "http://localhost:1420",
      beforeDevCommand: "pnpm dev",
      beforeBuildCommand: "pnpm build",
    });
    assert.equal((c.app.security.csp as Record<string, string>)["font-src"], "https://fonts.gstatic.com");
    assert.deepEqual(c.app.security.assetProtocol, {
      enable: true,
      scope: { allow: ["$APPDATA/db/**", "$RESOURCE/**"], deny: ["$APPDATA/db/*.stronghold"] },
    });
    assert.deepEqual(c.unsupported, ["plugins", "bundle", "app.macOSPrivateApi", "app.security.pattern", "app.security.freezePrototype"]);
  });
});

test("Tauri's multiwindow example: both windows with Tauri's defaults, per-window fields reported", async () => {
  await withDir({}, async (dir) => {
    await copyFile(join(fixtures, "multiwindow.tauri.conf.json"), join(dir, "tauri.conf.json"));
    const c = await loadAppConfig(dir);
    assert.deepEqual(
      c.app.windows.map((w) => [w.label, w.title, w.url, w.width, w.height, w.create, w.resizable]),
      [
        ["Main", "Tauri - Main", "index.html", 800, 600, true, true],
        ["Secondary", "Tauri - Secondary", "index.html", 600, 400, true, true],
      ],
    );
    assert.equal(c.app.security.csp, "default-src 'self'; connect-src ipc: http://ipc.localhost");
    assert.deepEqual(c.unsupported, [
      "bundle",
      "app.windows[0].tabbingIdentifier",
      "app.windows[1].tabbingIdentifier",
      "build.frontendDist (a list of files)",
    ]);
  });
});

test("the tutorial's ferry.conf.json loads, passes the shipped schema, and names the app's folders", async () => {
  const file = join(repo, "examples/tutorial/ferry.conf.json");
  const c = await loadAppConfig(join(repo, "examples/tutorial"));
  assert.equal(c.file, file);
  assert.deepEqual([c.identifier, c.productName], ["dev.ferry.tutorial", "ferry tutorial"]);
  assert.deepEqual(
    c.app.windows.map((w) => [w.label, w.title, w.width, w.height]),
    [["main", "ferry tutorial", 800, 600]],
  );
  assert.deepEqual(c.unsupported, []);
  // The schema is the one the package exports, as an editor would resolve it.
  const schemaPath = fileURLToPath(import.meta.resolve("ferry/ferry.conf.schema.json"));
  const validate = new Ajv().compile(JSON.parse(await readFile(schemaPath, "utf8")) as object);
  assert.equal(validate(JSON.parse(await readFile(file, "utf8"))), true, JSON.stringify(validate.errors));
  const env = { HOME: "/home/u" };
  const dirs = appDirs(c.identifier, { platform: "linux", env });
  assert.equal(dirs.appData, "/home/u/.local/share/dev.ferry.tutorial");
  assert.equal(defaultPathVariables({ identifier: c.identifier, platform: "linux", env }).APPDATA, dirs.appData);
});
