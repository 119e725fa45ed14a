import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { FerryError } from "../protocol/errors.ts";
import { PathScope, realPathOf, resolveScopedPath, scopeEntryProblem } from "./paths.ts";

let root: string;
let scope: PathScope;

before(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ferry-paths-")));
  await mkdir(join(root, "in/sub"), { recursive: true });
  await mkdir(join(root, "out"), { recursive: true });
  await writeFile(join(root, "in/f"), "");
  await writeFile(join(root, "out/f"), "");
  await symlink(join(root, "out"), join(root, "in/up"));
  await symlink("../out/f", join(root, "in/rel"));
  await symlink(join(root, "in/sub"), join(root, "in/down"));
  await symlink(join(root, "out/missing"), join(root, "in/dangling"));
  scope = await PathScope.compile({ allow: [{ path: "$R/in/**" }], deny: [{ path: "$R/in/sub/deny" }] }, { R: root });
});

after(() => rm(root, { recursive: true, force: true }));

const SEGMENTS = ["in", "out", "sub", "up", "rel", "down", "dangling", "f", "..", ".", ".hidden", "deny", "new", "[x]", "*"];

test("property: whatever the path, an accepted one really lies in scope; `..` is always refused", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 6 }), async (segments) => {
      const path = [root, ...segments].join("/");
      let resolved: string;
      try {
        resolved = await resolveScopedPath({ path }, scope, { R: root });
      } catch (err) {
        assert.ok(err instanceof FerryError && err.kind === "permission_denied", String(err));
        return true;
      }
      assert.ok(!segments.includes(".."), `accepted a path with ..: ${path}`);
      const real = await realPathOf(resolved);
      assert.ok(real === join(root, "in") || real.startsWith(join(root, "in") + "/"), `${path} → ${real}`);
      assert.ok(
        !real
          .slice(root.length)
          .split("/")
          .some((c) => c.startsWith(".")),
        `dotfile via **: ${real}`,
      );
      assert.ok(!real.startsWith(join(root, "in/sub/deny")), `denied: ${real}`);
      return true;
    }),
    { numRuns: 400 },
  );
});

test("realPathOf follows links in the existing part and keeps the rest", async () => {
  assert.equal(await realPathOf(join(root, "in/up/f")), join(root, "out/f"));
  assert.equal(await realPathOf(join(root, "in/up/not/yet")), join(root, "out/not/yet"));
  assert.equal(await realPathOf(join(root, "in/rel")), join(root, "out/f"));
  assert.equal(await realPathOf(join(root, "in/dangling")), join(root, "out/missing"));
  assert.equal(await realPathOf(join(root, "in/dangling/child")), join(root, "out/missing/child"));
});

test("an unusable deny entry refuses every path instead of denying nothing", async () => {
  const broken = await PathScope.compile({ allow: [{ path: "$R/in/**" }], deny: [{ path: "$TYPO/secret" }] }, { R: root });
  await assert.rejects(resolveScopedPath({ path: join(root, "in/f"), dev: true }, broken, { R: root }), (e: unknown) => {
    assert.ok(e instanceof FerryError && e.kind === "permission_denied");
    assert.match(e.message, /unusable deny entry.*unknown variable \$TYPO/);
    return true;
  });
  // Outside dev mode the entry is scope configuration, not the page's business.
  await assert.rejects(resolveScopedPath({ path: join(root, "in/f") }, broken, { R: root }), (e: unknown) => {
    assert.ok(e instanceof FerryError && e.kind === "permission_denied");
    assert.match(e.message, /unusable deny entry/);
    assert.ok(!/TYPO|secret/.test(e.message + JSON.stringify(e.data)), e.message);
    return true;
  });
  // An unusable allow entry only fails to allow.
  const lax = await PathScope.compile({ allow: [{ path: "$TYPO/**" }, { path: "$R/in/**" }], deny: [] }, { R: root });
  assert.equal(await resolveScopedPath({ path: join(root, "in/f") }, lax, { R: root }), join(root, "in/f"));
});

test("a deny entry naming a folder denies everything inside it", async () => {
  const children = [join(root, "in/sub/deny/in"), join(root, "in/sub/deny/x/y")];
  for (const path of [join(root, "in/sub/deny"), ...children]) {
    await assert.rejects(
      resolveScopedPath({ path }, scope, { R: root }),
      (e: unknown) => e instanceof FerryError && e.kind === "permission_denied",
      path,
    );
  }
  // Siblings whose names merely start the same are not denied.
  assert.equal(await resolveScopedPath({ path: join(root, "in/sub/denying") }, scope, { R: root }), join(root, "in/sub/denying"));
});

// From the empty-home regression (test/regression/empty-home.test.ts).
test("a scope entry whose variable is empty is unusable", () => {
  assert.match(scopeEntryProblem("$HOME/**", { HOME: "" }) ?? "", /empty/);
});
