import { test } from "node:test";
import assert from "node:assert/strict";
import { EventQueue, type EventText } from "./event-queue.ts";

const event = (name: string, payload: unknown): EventText => {
  const head = `{"t":"e","n":${JSON.stringify(name)},"h":[`;
  const json = JSON.stringify(payload);
  return { head, json, bytes: Buffer.byteLength(head) + Buffer.byteLength(json) };
};

/** Pushes `e` for `ids`; returns the frame the page would get, and its bytes. */
const push = (q: EventQueue, e: EventText, ids: number[]) => {
  const bytes = q.sizeOf(e, ids);
  q.push(e, ids, bytes);
  return bytes;
};

test("events come out in order as the text of their frames, with the UTF-8 bytes they were counted at", () => {
  const q = new EventQueue(1024);
  const a = push(q, event("a", { x: 1 }), [1]);
  const b = push(q, event("b", "héllo ✓"), [2, 30]);
  assert.equal(q.size, 2);
  assert.equal(q.measure(2, Infinity, false), 2);
  assert.equal(q.measured, a + b);
  const text = q.take(2, q.measured);
  assert.deepEqual(JSON.parse(`[${text}]`), [
    { t: "e", n: "a", h: [1], p: { x: 1 } },
    { t: "e", n: "b", h: [2, 30], p: "héllo ✓" },
  ]);
  assert.equal(Buffer.byteLength(text) + 1, a + b, "each event counts its frame and one comma");
  assert.equal(q.size, 0);
});

test("measure stops at the budget, but counts the oldest when asked to take at least one", () => {
  const q = new EventQueue(1024);
  const one = push(q, event("a", "x".repeat(100)), [1]);
  push(q, event("a", "y"), [1]);
  assert.equal(q.measure(2, one - 1, false), 0);
  assert.equal(q.measure(2, one - 1, true), 1);
  assert.equal(q.measured, one);
  assert.equal(q.measure(1, Infinity, false), 1, "never more than asked");
});

test("dropping the oldest reports its handler ids and bytes, without touching newer events", () => {
  const q = new EventQueue(1024);
  const first = push(q, event("a", 1), [4, 5]);
  push(q, event("a", 2), [6]);
  const lost: number[] = [];
  assert.equal(q.oldestBytes(), first);
  assert.equal(
    q.dropOldest((id) => lost.push(id)),
    first,
  );
  assert.deepEqual(lost, [4, 5]);
  assert.equal(q.size, 1);
  const n = q.measure(1, Infinity, false);
  assert.deepEqual(JSON.parse(q.take(n, q.measured)), { t: "e", n: "a", h: [6], p: 2 });
});

test("a queue held at its bound while events stream through keeps every frame whole", () => {
  // As a stalled window: push, and drop the oldest whenever over the bound, far past the buffer's size.
  const bound = 64 * 1024;
  const q = new EventQueue(bound);
  let held = 0;
  let dropped = 0;
  for (let i = 0; i < 20_000; i++) {
    const e = event("tick", { i, pad: "p".repeat(i % 300) });
    const bytes = q.sizeOf(e, [1]);
    while (held + bytes > bound) {
      held -= q.dropOldest(() => dropped++);
    }
    q.push(e, [1], bytes);
    held += bytes;
  }
  const n = q.measure(q.size, Infinity, false);
  assert.equal(q.measured, held);
  const frames = JSON.parse(`[${q.take(n, q.measured)}]`) as { p: { i: number } }[];
  assert.equal(frames.length + dropped, 20_000);
  assert.deepEqual(
    frames.map((f) => f.p.i),
    Array.from({ length: frames.length }, (_, k) => 20_000 - frames.length + k),
    "the newest events, in order",
  );
  assert.equal(q.size, 0);
});
