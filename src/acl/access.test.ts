import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { AccessControl, type AccessOptions } from "./access.ts";
import { AccessConfigError } from "./parse.ts";
import type { LoadedCapability, PluginAccess } from "./types.ts";

const fsLike: PluginAccess = {
  name: "fs",
  commands: ["read_text_file", "write_text_file", "stat"],
  permissions: {
    default: { permissions: ["read-all"] },
    sets: [{ identifier: "read-all", permissions: ["allow-read-text-file", "allow-stat"] }],
    permissions: [{ identifier: "scope-home", scope: { allow: [{ path: "$HOME/**" }] } }],
  },
};

function acl(capabilities: LoadedCapability[], extra: Partial<AccessOptions> = {}) {
  return new AccessControl({ capabilities, commands: ["greet", "read_file", "start_job"], plugins: [fsLike], platform: "linux", ...extra });
}
const cap = (
  identifier: string,
  windows: string[],
  permissions: LoadedCapability["permissions"],
  more: Partial<LoadedCapability> = {},
): LoadedCapability => ({
  identifier,
  windows,
  permissions,
  ...more,
});

test("table: what each window may call", () => {
  const a = acl([
    cap("main", ["main"], ["core:default", "allow-greet", "allow-read-file", "fs:default"]),
    cap("tools", ["tool-*"], ["allow-greet", "fs:allow-write-text-file"]),
    cap("no-read", ["main"], ["deny-read-file"], { description: "deny beats allow" }),
    cap("mac-only", ["*"], ["allow-start-job"], { platforms: ["macOS"] }),
    cap("remote-only", ["*"], ["allow-start-job"], { local: false, remote: { urls: ["https://example.com/*"] } }),
    cap("webview", [], ["allow-start-job"], { webviews: ["embed"] }),
  ]);
  const rows: [string, string, boolean][] = [
    ["main", "greet", true],
    ["main", "read_file", false], // denied by no-read
    ["main", "start_job", false], // mac-only / remote-only do not apply here
    ["main", "plugin:event|listen", true], // core:default → core:event:default
    ["main", "plugin:event|emit_to", true],
    ["main", "plugin:fs|read_text_file", true], // fs:default → read-all
    ["main", "plugin:fs|stat", true],
    ["main", "plugin:fs|write_text_file", false],
    ["tool-1", "greet", true],
    ["tool-1", "plugin:fs|write_text_file", true],
    ["tool-1", "plugin:event|listen", false],
    ["tool-1", "read_file", false],
    ["embed", "start_job", true],
    ["stranger", "greet", false], // matches no capability
    ["stranger", "plugin:event|listen", false], // so it receives no events
  ];
  for (const [window, command, allowed] of rows) {
    assert.equal(a.decide(window, command).allowed, allowed, `${window} → ${command}`);
  }
});

test("a denial names the command, the window and what would grant it; dev adds the files", () => {
  const a = acl([
    { ...cap("main", ["main"], ["allow-greet"]), file: "capabilities/default.json" },
    { ...cap("limited", ["limited"], ["deny-read-file"]), file: "capabilities/limited.json" },
  ]);
  const d = a.decide("main", "read_file");
  assert.equal(d.allowed, false);
  if (d.allowed) return;
  assert.match(d.message!, /"read_file" is not allowed for window "main"; add "allow-read-file"/);
  assert.doesNotMatch(d.message!, /default\.json/);
  assert.deepEqual((d.data as { permissions: string[] }).permissions, ["allow-read-file"]);

  const dev = a.decide("main", "read_file", true);
  assert.ok(!dev.allowed);
  assert.match(dev.message!, /Capabilities consulted: main \(capabilities\/default\.json\)/);
  assert.deepEqual((dev.data as { capabilities: unknown }).capabilities, [{ identifier: "main", file: "capabilities/default.json" }]);

  const denied = a.decide("limited", "read_file");
  assert.ok(!denied.allowed);
  assert.match(denied.message!, /denied for window "limited" by "deny-read-file" in capability "limited"/);

  const stranger = a.decide("nobody", "plugin:fs|stat", true);
  assert.ok(!stranger.allowed);
  assert.match(stranger.message!, /window "nobody" matches no capability/);
  assert.deepEqual((stranger.data as { permissions: string[] }).permissions, ["fs:allow-stat", "fs:read-all", "fs:default"]);
  assert.match(stranger.message!, /capabilities loaded: main \(capabilities\/default\.json\), limited/);
});

test("unknown identifiers are reported with did-you-mean, not ignored", () => {
  assert.throws(
    () => acl([cap("main", ["main"], ["fs:allow-read-txt-file", "alow-greet", "core:default"])]),
    (err: unknown) => {
      assert.ok(err instanceof AccessConfigError);
      const ids = err.problems.map((p) => [p.identifier, p.suggestion]);
      assert.deepEqual(ids, [
        ["fs:allow-read-txt-file", "fs:allow-read-text-file"],
        ["alow-greet", "allow-greet"],
      ]);
      return true;
    },
  );
  const lax = acl([cap("main", ["main"], ["nonsense-permission", "allow-greet"])], { strict: false });
  assert.equal(lax.problems.length, 1);
  assert.equal(lax.decide("main", "greet").allowed, true);
});

test("sets expand through the app's own manifest; cycles are problems", () => {
  const a = acl([cap("main", ["main"], ["everything"])], {
    permissions: {
      sets: [
        { identifier: "everything", permissions: ["talk", "fs:default"] },
        { identifier: "talk", permissions: ["allow-greet", "core:event:allow-listen"] },
      ],
    },
  });
  assert.equal(a.decide("main", "greet").allowed, true);
  assert.equal(a.decide("main", "plugin:event|listen").allowed, true);
  assert.equal(a.decide("main", "plugin:event|emit").allowed, false);
  assert.equal(a.decide("main", "plugin:fs|stat").allowed, true);
  assert.throws(
    () =>
      acl([cap("main", ["main"], ["a"])], {
        permissions: {
          sets: [
            { identifier: "a", permissions: ["b"] },
            { identifier: "b", permissions: ["a"] },
          ],
        },
      }),
    (e: unknown) => e instanceof AccessConfigError && e.problems.some((p) => p.kind === "cycle"),
  );
});

test("appCommands: 'allow' restores Tauri's app-command default, deny still wins", () => {
  const a = acl([cap("main", ["main"], ["deny-read-file"])], { appCommands: "allow" });
  assert.equal(a.decide("main", "greet").allowed, true);
  assert.equal(a.decide("main", "read_file").allowed, false);
  assert.equal(a.decide("main", "plugin:fs|stat").allowed, false); // plugins still need a grant
  assert.equal(a.decide("nobody", "greet").allowed, false); // no capability, nothing
});

test("scopes: command scope from the entry, global scope from command-less permissions, per window", () => {
  const a = acl([
    cap(
      "a",
      ["a"],
      [{ identifier: "fs:allow-read-text-file", allow: [{ path: "/a/**" }], deny: [{ path: "/a/secret" }] }, "fs:scope-home"],
    ),
    cap("b", ["b"], [{ identifier: "fs:allow-read-text-file", allow: ["/b/**"] }]),
  ]);
  const sa = a.decide("a", "plugin:fs|read_text_file");
  assert.ok(sa.allowed);
  assert.deepEqual(sa.scope, { allow: [{ path: "/a/**" }, { path: "$HOME/**" }], deny: [{ path: "/a/secret" }] });
  const sb = a.decide("b", "plugin:fs|read_text_file");
  assert.ok(sb.allowed);
  assert.deepEqual(sb.scope, { allow: ["/b/**"], deny: [] });
});

// Properties: over random capabilities built from a small vocabulary, a command is allowed
// iff some allow permission reaches it and no deny does.
const COMMANDS = ["greet", "read_file", "start_job"];
const LEAVES = COMMANDS.flatMap((c) => [`allow-${c.replace(/_/g, "-")}`, `deny-${c.replace(/_/g, "-")}`]);
const SETS: Record<string, string[]> = { "set-a": ["allow-greet", "deny-start-job"], "set-b": ["allow-read-file", "set-a"] };
const leavesOf = (id: string): string[] => (SETS[id] ? SETS[id]!.flatMap(leavesOf) : [id]);
const LABELS = ["main", "w1", "w2"];

test("property: allowed iff some allow matches and no deny matches; sets expand", () => {
  const capArb = fc.record({
    windows: fc.subarray(["main", "w1", "w2", "w*", "*"], { minLength: 1 }),
    permissions: fc.array(fc.constantFrom(...LEAVES, ...Object.keys(SETS)), { maxLength: 6 }),
  });
  fc.assert(
    fc.property(fc.array(capArb, { maxLength: 4 }), (caps) => {
      const capabilities = caps.map((c, i) => cap(`c${i}`, c.windows, c.permissions));
      const a = new AccessControl({
        capabilities,
        commands: COMMANDS,
        platform: "linux",
        permissions: { sets: Object.entries(SETS).map(([identifier, permissions]) => ({ identifier, permissions })) },
      });
      for (const label of LABELS) {
        const applying = caps.filter((c) => c.windows.some((w) => w === label || w === "*" || (w === "w*" && label.startsWith("w"))));
        const leaves = applying.flatMap((c) => c.permissions.flatMap(leavesOf));
        for (const command of COMMANDS) {
          const h = command.replace(/_/g, "-");
          const expected = leaves.includes(`allow-${h}`) && !leaves.includes(`deny-${h}`);
          if (a.decide(label, command).allowed !== expected) return false;
        }
      }
      return true;
    }),
    { numRuns: 300 },
  );
});

test("property: adding a deny never widens access; adding an allow never narrows it", () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...LEAVES), { maxLength: 6 }), fc.constantFrom(...LEAVES), (perms, extra) => {
      const before = new AccessControl({ capabilities: [cap("c", ["main"], perms)], commands: COMMANDS, platform: "linux" });
      const after = new AccessControl({ capabilities: [cap("c", ["main"], [...perms, extra])], commands: COMMANDS, platform: "linux" });
      return COMMANDS.every((c) => {
        const b = before.decide("main", c).allowed;
        const x = after.decide("main", c).allowed;
        return extra.startsWith("deny-") ? !x || b : !b || x;
      });
    }),
  );
});

test("property: unknown identifiers always surface as problems", () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z][a-z-]{0,12}$/), (id) => {
      fc.pre(!LEAVES.includes(id) && !id.startsWith("core") && id !== "default");
      const a = new AccessControl({ capabilities: [cap("c", ["main"], [id])], commands: COMMANDS, platform: "linux", strict: false });
      return a.problems.some((p) => p.kind === "unknown_permission" && p.identifier === id);
    }),
  );
});
