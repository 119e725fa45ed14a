import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { coalesce, encodeValue, formatPath, FrameReader, framePieces, frameMessage, type BinaryFrame } from "./codec.ts";
import { FerryError } from "./errors.ts";

function roundTrip(value: unknown): unknown {
  const frame = frameMessage(`{"t":"r","id":1`, "v", encodeValue(value, "result"));
  const reader = new FrameReader();
  const messages = framePieces(frame).flatMap((piece) => reader.read(piece));
  assert.equal(messages.length, 1, "one message once every piece has arrived");
  return (messages[0] as { v: unknown }).v;
}

/** JSON-safe values with byte arrays mixed in anywhere. */
const wireValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(
      fc.string().filter((k) => !["__proto__", "constructor", "prototype", "$b"].includes(k)),
      tie("value"),
      { maxKeys: 5, noNullPrototype: true },
    ),
  ),
})).value;

test("any value with bytes anywhere survives encode → frame → decode unchanged", () => {
  fc.assert(
    fc.property(wireValue, (value) => {
      assert.deepEqual(roundTrip(value), value);
    }),
    { numRuns: 300 },
  );
});

test("bytes are lifted into a binary frame, not base64 or number arrays", () => {
  const frame = frameMessage(`{"t":"r","id":1`, "v", encodeValue({ data: new Uint8Array(1000).fill(7) }, "result"));
  assert.equal(typeof frame, "object");
  const { head, segments } = frame as BinaryFrame;
  assert.ok(head.length < 100, "the head holds no byte content");
  assert.equal(segments.length, 1);
  assert.equal(segments[0]!.byteLength, 1000, "the bytes go as they are, in a message of their own");
  // ArrayBuffer and other views arrive as Uint8Array over the same bytes.
  const out = roundTrip({ ab: new Uint8Array([1, 2]).buffer, view: new Uint16Array([258]) }) as Record<string, Uint8Array>;
  assert.deepEqual([...out.ab!], [1, 2]);
  assert.equal(out.view!.byteLength, 2);
});

test("what JSON would lose silently is refused with its path", () => {
  const cases: [unknown, string][] = [
    [{ items: [1, 2, 3, 10n] }, "result.items[3]: BigInt"],
    [{ f: () => 1 }, "result.f: function"],
    [{ m: new Map() }, "result.m: Map"],
    [{ s: new Set([1]) }, "result.s: Set"],
    [{ n: NaN }, "result.n: NaN"],
    [{ "a b": [{ x: Infinity }] }, 'result["a b"][0].x: Infinity'],
    [{ e: new Error("x") }, "result.e: Error (throw it instead)"],
    [{ p: Promise.resolve() }, "result.p: Promise (forgot an await?)"],
    [[Symbol("s")], "result[0]: Symbol"],
  ];
  for (const [value, expected] of cases) {
    assert.throws(
      () => encodeValue(value, "result"),
      (err: FerryError) => err.kind === "not_serializable" && err.message.startsWith(expected),
      expected,
    );
  }
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => encodeValue(cyclic, "result"), /result\.self: circular reference/);
});

test("values JSON handles are accepted: Dates, toJSON, undefined fields, shared (non-cyclic) objects", () => {
  const shared = { x: 1 };
  const date = new Date(0);
  assert.deepEqual(JSON.parse(encodeValue({ date, a: undefined, s1: shared, s2: shared }, "r").json), {
    date: date.toISOString(),
    s1: shared,
    s2: shared,
  });
  assert.equal(encodeValue(undefined, "r").json, "null");
});

test("malformed frames are protocol errors, never crashes; the reader recovers", () => {
  const bad: (string | Uint8Array)[][] = [
    ["{"],
    [new Uint8Array([1, 2])], // bytes nobody announced
    ['{"t":"r","id":1,"$b":"x"}'],
    ['{"t":"r","id":1,"$b":[[["v"],-1]]}'],
    ['{"t":"r","id":1,"v":null,"$b":[[["v"],2]]}', new Uint8Array([1])], // wrong length
    ['{"t":"r","id":1,"v":null,"$b":[[["v"],1]]}', '{"t":"r","id":2}'], // text while bytes are due
    ['{"t":"r","id":1,"$b":[[["__proto__","x"],1]]}', new Uint8Array([1])],
    ['{"t":"r","id":1,"$b":[[["missing","x"],1]]}', new Uint8Array([1])],
  ];
  for (const pieces of bad) {
    const reader = new FrameReader();
    assert.throws(
      () => pieces.forEach((p) => reader.read(p)),
      (e: FerryError) => e.kind === "protocol",
      JSON.stringify(pieces.map(String)),
    );
    // After the error the reader takes well-formed messages again.
    assert.deepEqual(reader.read('{"t":"r","id":9}'), [{ t: "r", id: 9 }]);
  }
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 50 }), fc.string({ maxLength: 50 })), { maxLength: 5 }), (pieces) => {
      const reader = new FrameReader();
      for (const piece of pieces) {
        try {
          reader.read(piece);
        } catch (e) {
          assert.ok(e instanceof FerryError && e.kind === "protocol");
        }
      }
    }),
  );
});

test("coalesce joins text frames into one array frame and keeps binary frames in order", () => {
  const bin = { head: '{"$b":[[["v"],1]]}', segments: [new Uint8Array([1])] };
  assert.deepEqual(coalesce(['{"a":1}', '{"b":2}', bin, '{"c":3}']), ['[{"a":1},{"b":2}]', bin, '{"c":3}']);
  assert.deepEqual(coalesce(['{"a":1}']), ['{"a":1}']);
});

test("formatPath writes paths as a developer would", () => {
  assert.equal(formatPath("args", ["user", "tags", 1]), "args.user.tags[1]");
  assert.equal(formatPath("args", ["a-b"]), 'args["a-b"]');
});

test("Buffers travel as bytes without their toJSON ever running; shared containers stay intact", () => {
  const buf = Buffer.from([1, 2, 3]);
  // A Buffer whose toJSON would throw proves encoding never calls it.
  Object.defineProperty(buf, "toJSON", { value: () => assert.fail("Buffer.toJSON ran") });
  const shared = { keep: 1 };
  const value = { a: { file: buf, shared }, list: [shared, buf], top: "x" };
  const out = roundTrip(value) as { a: { file: Uint8Array; shared: unknown }; list: unknown[]; top: string };
  assert.deepEqual([...out.a.file], [1, 2, 3]);
  assert.deepEqual([...(out.list[1] as Uint8Array)], [1, 2, 3]);
  assert.deepEqual(out.a.shared, { keep: 1 });
  assert.equal(out.top, "x");
  // The caller's object is untouched.
  assert.equal(value.a.file, buf);
  assert.equal(value.list[1], buf);
  // An object with its own toJSON on the way to bytes still encodes (by the slower path).
  const viaToJSON = { wrap: { toJSON: () => ({ inner: new Uint8Array([9]) }) } };
  assert.deepEqual([...(roundTrip(viaToJSON) as { wrap: { inner: Uint8Array } }).wrap.inner], [9]);
});
