import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { assertEventName, suggest } from "./names.ts";
import type { FerryError } from "./errors.ts";

test("suggest finds likely typos and nothing for unrelated names", () => {
  const commands = ["greet", "read_file", "start_job"];
  assert.equal(suggest("gret", commands), "greet");
  assert.equal(suggest("readFile", commands), "read_file");
  assert.equal(suggest("start-job", commands), "start_job");
  assert.equal(suggest("launch_rockets", commands), undefined);
});

test("suggest with accept: the closest accepted name, asking only about close ones", () => {
  const commands = ["secret_cmd", "greet", "sekret", "launch_rockets"];
  const asked: string[] = [];
  const accept = (c: string) => (asked.push(c), c !== "secret_cmd");
  assert.equal(suggest("secret_cmdd", commands, accept), undefined);
  assert.deepEqual(asked, ["secret_cmd"], "far names are never checked");
  assert.equal(suggest("sekret_", commands, accept), "sekret");
  assert.equal(
    suggest("gret", commands, () => true),
    "greet",
  );
  assert.equal(
    suggest("gret", commands, () => false),
    undefined,
  );
});

test("event names: letters, digits, - / : _ only", () => {
  for (const ok of ["job-progress", "app:ready", "a/b_c", "X1"]) assertEventName(ok);
  for (const bad of ["", "has space", "emoji🙂", "dot.name", 42, null, "x".repeat(300)]) {
    assert.throws(
      () => assertEventName(bad),
      (e: FerryError) => e.kind === "invalid_event",
    );
  }
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 50 }), (s) => {
      const valid = /^[A-Za-z0-9\-/:_]+$/.test(s);
      let accepted = true;
      try {
        assertEventName(s);
      } catch {
        accepted = false;
      }
      assert.equal(accepted, valid);
    }),
  );
});
