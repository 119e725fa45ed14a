/**
 * Capability files copied unchanged from real Tauri v2 projects (test/fixtures/tauri-capabilities,
 * sources in its SOURCE.md) load as they are: permissions of plugins the app does not have
 * grant nothing and are reported once per plugin (a start-up warning, a `ferry check`
 * finding); `missingPlugins: "error"` makes them errors; a misspelt permission of a plugin
 * the app has stays an error with its did-you-mean; calls into Tauri parts ferry lacks are
 * `unsupported`.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp, FerryError, type LogEntry } from "ferry";
import { AccessConfigError, checkAccess, loadAccessSync } from "ferry/acl";
import { createClient } from "ferry/client";
import { connectMemory } from "ferry/transports/memory";
import { dialogPlugin } from "ferry/plugins/dialog";

const fixtures = fileURLToPath(new URL("../fixtures/tauri-capabilities/", import.meta.url));
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferry-tauri-caps-"));
});
after(() => rm(dir, { recursive: true, force: true }));

/** An app folder whose `capabilities/` holds the named fixtures (and extra files), unchanged. */
async function appRoot(name: string, fixtureFiles: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const root = join(dir, name);
  await mkdir(join(root, "capabilities"), { recursive: true });
  for (const f of fixtureFiles) await copyFile(join(fixtures, f), join(root, "capabilities", f));
  for (const [f, value] of Object.entries(extra)) await writeFile(join(root, "capabilities", f), JSON.stringify(value));
  return root;
}

test("create-tauri-app's capability loads: shell:allow-open is one warning naming the plugin and grants nothing", async () => {
  const root = await appRoot("cta", ["create-tauri-app.json"]);
  const logged: LogEntry[] = [];
  const access = loadAccessSync({ root, commands: ["greet"], appCommands: "allow", log: (e) => logged.push(e) });
  assert.equal(logged.length, 1);
  assert.equal(logged[0]!.level, "warn");
  assert.match(
    logged[0]!.message,
    /^plugin "shell" is not installed, so "shell:allow-open" \(in capability "default" \(capabilities\/create-tauri-app\.json\)\) grants nothing/,
  );
  assert.deepEqual(
    access.warnings.map((w) => [w.kind, w.plugin, w.identifier, w.capability]),
    [["missing_plugin", "shell", "shell:allow-open", "default"]],
  );
  assert.deepEqual(access.problems, []);
  // core:default expands as Tauri's: the event plugin's default is granted; shell grants nothing.
  assert.equal(access.decide("main", "plugin:event|listen").allowed, true);
  assert.equal(access.decide("main", "greet").allowed, true);
  assert.equal(access.decide("main", "plugin:shell|open").allowed, false);
  assert.equal(access.decide("other", "greet").allowed, false, "still deny by default for windows no capability names");
});

test("tauri's own app template, resources example and api example load; each missing plugin is reported once", async () => {
  const root = await appRoot("tauri", ["tauri-cli-app-template.json", "tauri-resources-example.json", "tauri-api-example-run-app.json"]);
  const logged: LogEntry[] = [];
  // The api example's own commands, which its app permissions (allow-echo …) name.
  const access = loadAccessSync({ root, commands: ["log_operation", "perform_request", "echo"], log: (e) => logged.push(e) });
  assert.deepEqual(access.problems, []);
  const plugins = access.warnings.map((w) => w.plugin).sort();
  assert.deepEqual(plugins, ["app-menu", "core:app", "core:path", "core:webview", "core:window", "sample"]);
  assert.equal(logged.length, plugins.length, "one line per plugin, not one per permission");
  const window = access.warnings.find((w) => w.plugin === "core:window")!;
  assert.match(window.message, /"core:window:allow-is-enabled", "core:window:allow-set-enabled", .*"core:window:allow-toggle-maximize"/);
  assert.match(window.message, /\(ferry has no window plugin yet\)/);
  assert.equal(access.decide("main", "echo").allowed, true, "the app's own permissions still grant");
  assert.equal(access.decide("main-2", "echo").allowed, true, "main-* matches");
});

test('missingPlugins: "error" makes them errors; a misspelt permission of an installed plugin stays an error', async () => {
  const root = await appRoot("strict", ["create-tauri-app.json"]);
  assert.throws(
    () => loadAccessSync({ root, commands: [], missingPlugins: "error", log: () => {} }),
    (e: unknown) => e instanceof AccessConfigError && e.problems.length === 1 && e.problems[0]!.kind === "missing_plugin",
  );
  const misspelt = await appRoot("misspelt", ["create-tauri-app.json"], {
    "dialogs.json": { identifier: "dialogs", windows: ["main"], permissions: ["dialog:allow-opn", "dialog:allow-save"] },
  });
  const dialog = dialogPlugin();
  assert.throws(
    () => loadAccessSync({ root: misspelt, commands: [], plugins: [dialog], log: () => {} }),
    (e: unknown) =>
      e instanceof AccessConfigError &&
      e.problems.length === 1 &&
      e.problems[0]!.kind === "unknown_permission" &&
      /unknown permission "dialog:allow-opn"; did you mean "dialog:allow-open"\?/.test(e.message),
  );
});

test('ferry check lists a missing plugin as a finding; with missingPlugins: "error" as an error', async () => {
  const root = await appRoot("check", ["create-tauri-app.json"]);
  const report = await checkAccess({ root, commands: ["greet"], appCommands: "allow", windows: ["main"] });
  assert.deepEqual(report.errors, []);
  assert.deepEqual(
    report.warnings.filter((w) => w.kind === "missing_plugin").map((w) => w.plugin),
    ["shell"],
  );
  const strict = await checkAccess({ root, commands: ["greet"], appCommands: "allow", missingPlugins: "error" });
  assert.deepEqual(
    strict.errors.map((e) => e.kind),
    ["missing_plugin"],
  );
});

test("calls into Tauri parts ferry lacks reject with unsupported, not as unknown commands", async () => {
  const root = await appRoot("unsupported", ["create-tauri-app.json"]);
  const access = loadAccessSync({ root, commands: [], log: () => {} });
  const app = createApp({ authorize: access.authorize, log: () => {} });
  const client = createClient(connectMemory(app, "main"));
  try {
    for (const cmd of ["plugin:menu|new", "plugin:tray|new", "plugin:image|new", "plugin:resources|close"]) {
      await assert.rejects(client.invoke(cmd, {}), (e: unknown) => {
        assert.ok(e instanceof FerryError);
        assert.equal(e.kind, "unsupported", cmd);
        assert.match(e.message, /ferry does not provide Tauri's \w+ API/);
        return true;
      });
    }
    await assert.rejects(client.invoke("plugin:nonsense|x", {}), (e: unknown) => e instanceof FerryError && e.kind === "command_not_found");
  } finally {
    app.close();
  }
});
