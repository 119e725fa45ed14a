import { test } from "node:test";
import assert from "node:assert/strict";
import { FerryError } from "../protocol/errors.ts";
import { preview, previewError, PREVIEW_CHARS } from "./inspector.ts";

const TOKEN = "0123456789abcdef".repeat(4);

test("preview: plain values read as JSON", () => {
  const v = { name: "World", n: 3, ok: true, none: null, list: [1, "two", { x: [] }] };
  assert.equal(preview(v), JSON.stringify(v));
  assert.equal(preview("hi"), '"hi"');
  assert.equal(preview(undefined), "undefined");
});

test("preview: cut at the bound with …, however large the value", () => {
  const big = { text: "x".repeat(1_000_000), more: Array.from({ length: 100_000 }, (_, i) => i) };
  const p = preview(big);
  assert.ok(p.length <= PREVIEW_CHARS + 1, `length ${p.length}`);
  assert.ok(p.endsWith("…"));
  assert.ok(p.startsWith('{"text":"xxx'));
  const many = preview(
    Array.from({ length: 100_000 }, (_, i) => i),
    100,
  );
  assert.ok(many.length <= 101 && many.startsWith("[0,1,2,") && many.endsWith("…"), many);
});

test("preview: never shows a token", () => {
  const cases: unknown[] = [
    { token: "short-secret" },
    { authToken: TOKEN, password: "hunter2", Authorization: "Bearer x", apiKey: "k" },
    { url: `http://127.0.0.1:5/#ferry-token=${TOKEN}` },
    [TOKEN],
    TOKEN.toUpperCase(),
    new Map([["ferry", { nested: { deeper: TOKEN } }]]),
  ];
  for (const c of cases) {
    const p = preview(c);
    for (const secret of [TOKEN, TOKEN.toUpperCase(), "short-secret", "hunter2", "Bearer x", TOKEN.slice(0, 16)]) {
      assert.ok(!p.includes(secret), `${p} shows ${secret}`);
    }
    assert.ok(p.includes("[redacted]"), p);
  }
  // A token cut by the bound is redacted, not half shown.
  for (let room = 1; room < 90; room += 7) {
    const p = preview(`${"y".repeat(room)}${TOKEN}`, room + 20);
    assert.ok(!/[0-9a-f]{8}/.test(p), p);
  }
  // A short hex string (a colour, an id) is left alone.
  assert.equal(preview("#ff00aa"), '"#ff00aa"');
});

test("preview: what JSON cannot say is named, not thrown", () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.equal(preview(cyclic), '{"a":1,"self":<cycle>}');
  assert.equal(preview({ b: new Uint8Array(10), n: 12n }), '{"b":<10 bytes>,"n":12n}');
  assert.equal(preview(new Set([1, 2])), "Set(2) [1,2]");
  assert.equal(preview(new Map([["k", 1]])), 'Map(1) {"k":1}');
  assert.equal(preview(new Date(0)), '"1970-01-01T00:00:00.000Z"');
  const getter = Object.defineProperty({}, "boom", {
    enumerable: true,
    get() {
      throw new Error("no");
    },
  });
  assert.equal(preview(getter), '{"boom":<unreadable>}');
  const toJSON = { toJSON: () => "called", v: 1 };
  assert.ok(!preview(toJSON).includes("called"), "toJSON is not called");
  let deep: unknown = "bottom";
  for (let i = 0; i < 100; i++) deep = [deep];
  assert.ok(preview(deep).includes("…"));
  // Shared (not cyclic) objects show twice.
  const shared = { s: 1 };
  assert.equal(preview([shared, shared]), '[{"s":1},{"s":1}]');
});

test("previewError: kind, message and data, redacted", () => {
  const p = previewError(new FerryError("invalid_args", "bad", { token: TOKEN, field: "name" }));
  assert.equal(p, '{"kind":"invalid_args","message":"bad","data":{"token":"[redacted]","field":"name"}}');
});
