import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, type CommandContext } from "../backend/index.ts";
import { connectMemory } from "../transports/memory.ts";
import { createClient } from "../client/core.ts";
import { loadAccess, loadAccessSync } from "./load.ts";
import { AccessConfigError } from "./parse.ts";

async function app(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-load-"));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  }
  return dir;
}

test("every capability file is enabled unless the app lists which; permissions/ declares sets", async () => {
  const root = await app({
    "capabilities/a.json": { identifier: "a", windows: ["main"], permissions: ["talk"] },
    "capabilities/b.json": [{ identifier: "b", windows: ["main"], permissions: ["allow-start-job"] }],
    "permissions/talk.json": { set: [{ identifier: "talk", permissions: ["allow-greet"] }] },
  });
  try {
    const all = await loadAccess({ root, commands: ["greet", "start_job"] });
    assert.deepEqual(
      all.capabilities.map((c) => [c.identifier, c.file]),
      [
        ["a", "capabilities/a.json"],
        ["b", "capabilities/b.json"],
      ],
    );
    assert.equal(all.decide("main", "greet").allowed, true);
    assert.equal(all.decide("main", "start_job").allowed, true);
    const some = loadAccessSync({
      root,
      commands: ["greet", "start_job"],
      capabilities: ["a", { identifier: "inline", windows: ["x"], permissions: ["allow-greet"] }],
    });
    assert.equal(some.decide("main", "start_job").allowed, false);
    assert.equal(some.decide("x", "greet").allowed, true);
    assert.throws(
      () => loadAccessSync({ root, commands: [], capabilities: ["zzz"] }),
      /capability "zzz" is enabled but no file in capabilities\/ defines it \(found: a, b\)/,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("bad capability files are refused with the file and field", async () => {
  const cases: [unknown, RegExp][] = [
    [{ identifier: "x", windows: ["main"], permissions: [], colour: "red" }, /unknown field "colour"/],
    [{ identifier: "x", windows: "main", permissions: [] }, /"windows" must be an array/],
    [{ identifier: "x", permissions: [] }, /names no "windows"/],
    [{ identifier: "x", windows: ["m"], permissions: [{ identifier: "a", scope: [] }] }, /unknown field "scope"/],
    [{ identifier: "x", windows: ["m"], permissions: [], platforms: ["beos"] }, /"platforms" must list some of/],
    [{ identifier: "x", windows: ["m"], permissions: [], remote: { urls: "https://x" } }, /"remote" must be/],
    ["{ nope", /not valid JSON/],
  ];
  for (const [content, why] of cases) {
    const root = await app({ "capabilities/bad.json": content });
    try {
      await assert.rejects(loadAccess({ root, commands: [] }), (e: unknown) => {
        assert.ok(e instanceof AccessConfigError);
        assert.match(e.message, /capabilities\/bad\.json/);
        assert.match(e.message, why);
        return true;
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
});

test("TOML works for capabilities and for permission files in Tauri's layout", async () => {
  const root = await app({
    "capabilities/main.toml": 'identifier = "main"\nwindows = ["main"]\npermissions = ["default", { identifier = "allow-greet" }]\n',
    "permissions/notes.toml": [
      "[default]",
      'description = "Notes"',
      'permissions = ["write-notes"]',
      "",
      "[[permission]]",
      'identifier = "write-notes"',
      'commands.allow = ["save_note"]',
      "",
      "[[permission.scope.allow]]",
      'path = "$APPDATA/notes/**"',
    ].join("\n"),
    "capabilities/broken.toml": 'identifier = "broken\n',
  });
  try {
    await assert.rejects(loadAccess({ root, commands: ["greet", "save_note"] }), /capabilities\/broken\.toml: not valid TOML/);
    await rm(join(root, "capabilities/broken.toml"));
    const access = await loadAccess({ root, commands: ["greet", "save_note"] });
    assert.equal(access.decide("main", "greet").allowed, true);
    const d = access.decide("main", "save_note");
    assert.ok(d.allowed);
    assert.deepEqual(JSON.parse(JSON.stringify(d.scope)), { allow: [{ path: "$APPDATA/notes/**" }], deny: [] });
    // App commands see the scope their grant carries, as Tauri's CommandScope.
    const app = createApp({
      commands: { greet: () => "hi", save_note: (_: unknown, ctx: CommandContext) => ctx.scope },
      authorize: access.authorize,
    });
    const client = createClient(connectMemory(app, "main"));
    assert.deepEqual(await client.invoke("save_note"), { allow: [{ path: "$APPDATA/notes/**" }], deny: [] });
    client.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("a missing capabilities folder is an error, not a silent deny-all", async () => {
  const root = await app({});
  try {
    await assert.rejects(
      loadAccess({ root, commands: [] }),
      /no capabilities folder at .*capabilities \(pass capabilities: \[\] to start with none\)/,
    );
    assert.equal(loadAccessSync({ root, commands: ["greet"], capabilities: [] }).decide("main", "greet").allowed, false);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
