/**
 * Regression: a bracket range in a path pattern could match "/" (`[+-9]` spans it), so one
 * component of a pattern matched across two. Classes now never match "/", a reversed range
 * is a literal "[" instead of a crash, and `ferry check` reports ranges that span "/".
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { compilePathGlob } from "./glob.ts";
import { checkAccess } from "./check.ts";
import { fsPlugin } from "../plugins/fs.ts";

test("bracket classes never match '/'", () => {
  for (const dot of [false, true]) {
    assert.ok(!compilePathGlob("/data/report[+-9]txt", { dot }).test("/data/report/txt"));
    assert.ok(compilePathGlob("/data/report[+-9]txt", { dot }).test("/data/report.txt"));
    assert.ok(!compilePathGlob("/data/v[--0]*", { dot }).test("/data/v/.ssh"));
    assert.ok(!compilePathGlob("/data/x[!a]", { dot }).test("/data/x/"));
  }
  assert.ok(compilePathGlob("/data/[z-a]").test("/data/[z-a]"), "a reversed range is literal text");
});

test("ferry check reports a bracket range that includes '/'", async () => {
  const fs = fsPlugin({ variables: { ROOT: "/data" } });
  const report = await checkAccess({
    commands: [],
    plugins: [fs],
    capabilities: [
      {
        identifier: "w",
        windows: ["w"],
        permissions: ["fs:read-all", { identifier: "fs:scope", allow: ["$ROOT/report[+-9]txt", "$ROOT/ok[a-z].txt"] }],
      },
    ],
  });
  const found = report.errors.filter((p) => p.kind === "invalid_scope");
  assert.equal(found.length, 1, JSON.stringify(report.errors));
  assert.match(found[0]!.message, /\[\+-9\].*includes "\/"/);
});
