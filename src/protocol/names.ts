/** Name rules shared by both sides: event names, and did-you-mean suggestions. */

import { FerryError } from "./errors.ts";

const EVENT_NAME = /^[A-Za-z0-9\-/:_]+$/;

/** Throws `invalid_event` unless `name` uses only letters, digits, `-`, `/`, `:` and `_`. */
export function assertEventName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.length === 0 || name.length > 256 || !EVENT_NAME.test(name)) {
    throw new FerryError("invalid_event", `invalid event name ${JSON.stringify(name)}: use letters, digits, '-', '/', ':' and '_'`);
  }
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * The closest of `candidates` to `name`, if one is close enough to be a likely typo.
 * `accept`, when given, must also hold for it; it is asked only about candidates close
 * enough and closer than any accepted so far, so a costly check runs a few times at most.
 */
export function suggest(name: string, candidates: Iterable<string>, accept?: (candidate: string) => boolean): string | undefined {
  let best: string | undefined;
  let bestScore = Math.max(2, Math.floor(name.length / 3)) + 1;
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, "");
  for (const c of candidates) {
    const score = norm(c) === norm(name) ? 0 : distance(name, c);
    if (score < bestScore && (accept === undefined || accept(c))) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}
