/**
 * Regression: scope globs compiled to RegExps, and V8's backtracking engine tried every way
 * of splitting a page-chosen name among the stars of one component: 0.2–1.4 s per call for
 * `*-*-*-*` at 251 characters, ~114 s for six stars, and a frame may batch 4,096 calls.
 * The matcher now counts its steps; the bound below is linear in the path's length times
 * the pattern's, and is checked by counting, never by a timer.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { compileLabelGlob, compilePathGlob, type StepCounter } from "./glob.ts";

/** The bound the matcher promises: 3 × (path length + 1) × (pattern length + 1) steps. */
const bound = (subject: string, pattern: string) => 3 * (subject.length + 1) * (pattern.length + 1);

/**
 * What the old code did, step for step: a backtracking match of one component in which
 * each `*` (RegExp `[^/]*`, greedy) tries every length from the longest down before giving
 * up. It stops with `Infinity` once it has spent `budget` steps.
 */
function backtrackingSteps(pattern: string, name: string, budget: number): number {
  let steps = 0;
  const over = new Error("over budget");
  const go = (t: number, i: number): boolean => {
    if (++steps > budget) throw over;
    if (t === pattern.length) return i === name.length;
    if (pattern[t] === "*") {
      for (let j = name.length; j >= i; j--) if (go(t + 1, j)) return true;
      return false;
    }
    return i < name.length && name[i] === pattern[t] && go(t + 1, i + 1);
  };
  try {
    go(0, 0);
  } catch (err) {
    if (err === over) return Infinity;
    throw err;
  }
  return steps;
}

/**
 * Fails unless both matchers count their steps. Every test runs it first: on the old code
 * (a RegExp, which ignores the counter) it fails at once, before a long input hangs it.
 */
function assertCounting(): void {
  const path: StepCounter = { steps: 0 };
  assert.equal(compilePathGlob("/a/*-x").test("/a/b-x", path), true);
  assert.ok(path.steps >= "b-x".length, `path glob: ${path.steps} steps`);
  const label: StepCounter = { steps: 0 };
  assert.equal(compileLabelGlob("w-*").test("w-1", label), true);
  assert.ok(label.steps >= "w-1".length, `label glob: ${label.steps} steps`);
}

test("the matchers report the steps they take", assertCounting);

test("six stars against a 4,000-character name: linear steps, where backtracking explodes", () => {
  assertCounting();
  const pattern = "/a/*-*-*-*-*-*x";
  const name = "-".repeat(4000); // no "x": every split of the dashes among the stars fails
  const path = `/a/${name}`;
  const budget = bound(path, pattern);
  for (const dot of [false, true]) {
    for (const literal of [false, true]) {
      const glob = compilePathGlob(pattern, { dot, literal });
      const counter: StepCounter = { steps: 0 };
      assert.equal(glob.test(path, counter), false);
      assert.ok(counter.steps >= name.length, `the counter counts (${counter.steps})`);
      assert.ok(counter.steps <= budget, `${counter.steps} steps > ${budget}`);
      const deny: StepCounter = { steps: 0 };
      assert.equal(glob.testOrAncestor(path, deny), false);
      assert.ok(deny.steps <= budget, `testOrAncestor: ${deny.steps} steps > ${budget}`);
    }
  }
  // The same bound fails the old behaviour: backtracking spends it before deciding (it would
  // need about 4000^6 / 6! ≈ 5.7e18 steps), so a counter on the old algorithm breaks this test.
  assert.equal(backtrackingSteps("*-*-*-*-*-*x", name, budget), Infinity);
  // Nor is the bound loose: 20 characters already take backtracking past it.
  const short = "-".repeat(20);
  assert.ok(backtrackingSteps("*-*-*-*-*-*x", short, 1e7) > bound(`/a/${short}`, pattern));
});

test("other costly shapes stay within the bound", () => {
  assertCounting();
  const rows: [string, string][] = [
    ["/a/*----------x", "/a/" + "-".repeat(4000)], // the greedy matcher's own worst case
    ["/a/[!x]*[!x]*[!x]*[!x]*[!x]*[!x]*x", "/a/" + "-".repeat(4000)],
    ["/**/a/**/a/**/a/**/b", "/" + "a/".repeat(2000)], // many ways to place ** across components
    ["/**/*-*-*-*/**/*-*-*-*x", "/" + "-/".repeat(1000) + "-".repeat(2000)],
  ];
  for (const [pattern, path] of rows) {
    for (const dot of [false, true]) {
      const glob = compilePathGlob(pattern, { dot, literal: dot });
      const counter: StepCounter = { steps: 0 };
      glob.test(path, counter);
      glob.testOrAncestor(path, counter);
      assert.ok(counter.steps <= 2 * bound(path, pattern), `${pattern}: ${counter.steps} steps`);
    }
  }
});

test("label globs are linear too", () => {
  assertCounting();
  const label = "-".repeat(4000);
  const counter: StepCounter = { steps: 0 };
  assert.equal(compileLabelGlob("*-*-*-*-*-*x").test(label, counter), false);
  assert.ok(counter.steps > 0 && counter.steps <= bound(label, "*-*-*-*-*-*x"), `${counter.steps} steps`);
});
