import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileLabelGlob, compilePathGlob } from "./glob.ts";
import { expandVariables } from "./paths.ts";

test("label globs", () => {
  assert.ok(compileLabelGlob("main").test("main"));
  assert.ok(!compileLabelGlob("main").test("main2"));
  assert.ok(compileLabelGlob("editor-*").test("editor-1"));
  assert.ok(compileLabelGlob("*").test("anything"));
  assert.ok(compileLabelGlob("w?").test("w1") && !compileLabelGlob("w?").test("w12"));
  assert.ok(!compileLabelGlob("a.b").test("axb"), "regex characters are literal");
});

test("path globs: * stays in a component, ** spans, dotfiles only when named", () => {
  const rows: [string, string, boolean][] = [
    ["/a/*", "/a/b", true],
    ["/a/*", "/a/b/c", false],
    ["/a/*", "/a/.env", false],
    ["/a/.*", "/a/.env", true],
    ["/a/**", "/a", true],
    ["/a/**", "/a/b/c/d", true],
    ["/a/**", "/a/b/.git/config", false],
    ["/a/**", "/ab", false],
    ["/a/**/*.md", "/a/x/y/z.md", true],
    ["/a/**/*.md", "/a/z.md", true],
    ["/a/**/*.md", "/a/x/.z.md", false],
    ["/a/?.txt", "/a/b.txt", true],
    ["/a/?.txt", "/a/bb.txt", false],
    ["/a/[bc].txt", "/a/c.txt", true],
    ["/a/[!bc].txt", "/a/c.txt", false],
    ["/a/[!bc].txt", "/a/d.txt", true],
    ["/a/b", "/a/b", true],
    ["/a/b", "/a/b/c", false],
    ["/a/*", "/a/[x]*?", true],
    ["/a/b(c)", "/a/b(c)", true],
    ["/a/b+", "/a/bb", false],
  ];
  for (const [pattern, path, expected] of rows) assert.equal(compilePathGlob(pattern).test(path), expected, `${pattern} ~ ${path}`);
});

test("property: a * pattern never matches across a slash or a leading dot", () => {
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[a-z.[\]*?]{1,6}$/), { minLength: 1, maxLength: 4 }), (parts) => {
      const path = "/root/" + parts.join("/");
      const matched = compilePathGlob("/root/*").test(path);
      return matched === (parts.length === 1 && !parts[0]!.startsWith("."));
    }),
  );
});

test("variables expand only at the start and only when known", () => {
  const vars = { HOME: "/home/u", APPDATA: "/home/u/.local/share/app" };
  assert.equal(expandVariables("$HOME/**", vars), "/home/u/**");
  assert.equal(expandVariables("$APPDATA", vars), "/home/u/.local/share/app");
  assert.equal(expandVariables("$NOPE/x", vars), undefined);
  assert.equal(expandVariables("$HOMEX/x", vars), undefined);
  assert.equal(expandVariables("/abs/$HOME", vars), "/abs/$HOME");
});
