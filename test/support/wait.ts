/** Waiting in tests: on a condition, never a fixed sleep. */

import assert from "node:assert/strict";
import { FerryError } from "ferry";

/** Resolves when `predicate` holds, checking after every turn of the event loop. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** The FerryError a promise rejects with; fails the test if it resolves or throws anything else. */
export async function rejection(p: Promise<unknown>): Promise<FerryError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof FerryError, `expected a FerryError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the call to reject");
}
