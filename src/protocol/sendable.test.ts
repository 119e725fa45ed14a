import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeValue, type EncodedValue } from "./codec.ts";
import { FerryError } from "./errors.ts";
import { assertSendable, encodeSendable } from "./sendable.ts";

class Point {
  x = 1;
}

/** Values the backend may be handed: JSON-safe ones and every kind the check or the codec refuses. */
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.integer(),
    fc.double(), // NaN, ±Infinity and -0 included
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.constant(() => 1),
    fc.uint8Array({ maxLength: 4 }),
    fc.constant(new Point()),
    fc.constant(new Map([[1, 2]])),
    fc.constant({ toJSON: () => "as JSON" }),
    // toJSON where the walk over own enumerable keys does not see it.
    fc.constant(Object.assign([1], { toJSON: () => new Map() })),
    fc.constant(Object.assign([1], { toJSON: () => ({ a: Number.NaN }) })),
    fc.constant(Object.assign([1], { toJSON: () => new Uint8Array([1, 2]) })),
    fc.constant(Object.defineProperty({ a: 1 }, "toJSON", { value: () => new Set(), enumerable: false })),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.sparseArray(fc.oneof(fc.integer(), fc.string()), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 3 }), tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** What the backend sent before `encodeSendable`: the check, then the codec. */
function slowPath(value: unknown, root: string): EncodedValue {
  assertSendable(value, root);
  return encodeValue(value, root);
}

function outcome(run: () => EncodedValue): unknown {
  try {
    const { json, bytes } = run();
    return { json, bytes: bytes.map((b) => ({ path: b.path, data: [...b.data] })) };
  } catch (err) {
    assert.ok(err instanceof FerryError, String(err));
    return { kind: err.kind, message: err.message, data: err.data };
  }
}

test("encodeSendable sends and refuses exactly what the check and the codec do", () => {
  fc.assert(
    fc.property(anyValue, (value) => {
      assert.deepEqual(
        outcome(() => encodeSendable(value, "payload")),
        outcome(() => slowPath(value, "payload")),
      );
    }),
    { numRuns: 3000 },
  );
});

test("flat values that only look safe are still refused, naming the path", () => {
  const cases: [unknown, string][] = [
    [[1, , 3], "payload[1]"], // eslint-disable-line no-sparse-arrays -- a hole reads as undefined
    [[1, undefined], "payload[1]"],
    [{ a: 1, b: Number.NaN }, "payload.b"],
    [{ a: Number.POSITIVE_INFINITY }, "payload.a"],
    [{ n: 1n }, "payload.n"],
    [new Point(), "payload"],
    [Object.assign([1], { toJSON: () => new Map() }), "payload"],
    [Object.defineProperty({ a: 1 }, "toJSON", { value: () => ({ b: Number.NaN }), enumerable: false }), "payload.b"],
  ];
  for (const [value, path] of cases) {
    assert.throws(
      () => encodeSendable(value, "payload"),
      (err: unknown) => err instanceof FerryError && err.kind === "not_serializable" && err.message.startsWith(`${path}:`),
      JSON.stringify(path),
    );
  }
});

test("a flat object or array becomes its JSON text, with no bytes", () => {
  assert.deepEqual(encodeSendable({ seq: 1, value: 42, name: "Ada", ok: true, none: null, gone: undefined }, "payload"), {
    json: '{"seq":1,"value":42,"name":"Ada","ok":true,"none":null}',
    bytes: [],
  });
  assert.deepEqual(encodeSendable(["a", 1, false, null], "payload"), { json: '["a",1,false,null]', bytes: [] });
  assert.deepEqual(encodeSendable(Object.assign(Object.create(null), { k: "v" }), "payload"), { json: '{"k":"v"}', bytes: [] });
});
