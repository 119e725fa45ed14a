import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { CallTable, PendingCall } from "./connection.ts";

/** One operation on a table of calls in flight, as dispatch, settle, cancel and drop do them. */
const op = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), id: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant("delete" as const), id: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant("clear" as const) }),
);

test("CallTable answers exactly as a Map would, whatever the order of sets, deletes and clears", () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const table = new CallTable();
      const model = new Map<number, PendingCall>();
      for (const o of ops) {
        if (o.kind === "set") {
          const call = new PendingCall();
          table.set(o.id, call);
          model.set(o.id, call);
        } else if (o.kind === "delete") {
          assert.equal(table.delete(o.id), model.delete(o.id), `delete(${o.id})`);
        } else {
          table.clear();
          model.clear();
        }
        assert.equal(table.size, model.size, "size");
        for (let id = 0; id <= 6; id++) {
          assert.equal(table.get(id), model.get(id), `get(${id})`);
          assert.equal(table.has(id), model.has(id), `has(${id})`);
        }
        assert.deepEqual(new Set(table.values()), new Set(model.values()), "values");
      }
    }),
    { numRuns: 500 },
  );
});

test("CallTable.values is a copy: aborting every call while the table changes reaches each one once", () => {
  const table = new CallTable();
  const calls = [0, 1, 2].map((id) => {
    const call = new PendingCall();
    table.set(id, call);
    return call;
  });
  for (const call of table.values()) {
    call.abort(new Error("gone"));
    table.delete(calls.indexOf(call));
  }
  assert.ok(calls.every((c) => c.aborted));
  assert.equal(table.size, 0);
});
