/**
 * Whatever a handler throws, rejects with or returns, the call is answered and the process
 * lives. `String()` of a thrown `Object.create(null)` used to throw inside a promise
 * callback of the router: an unhandled rejection that ended the backend with code 1.
 *
 * The rule (docs/errors.md): a FerryError keeps its kind; a thrown value that is not an
 * Error reaches the page as that value (kind `failed`, the value in `data`); another Error
 * is `internal`; a value that cannot be read or sent is `internal` and logged.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { allowAll, createApp, defineCommand, FerryError, type LogEntry } from "ferry";
import { harnesses } from "../support/transports.ts";
import { rejection } from "../support/wait.ts";

const hostileProxy = () =>
  new Proxy(
    {},
    {
      get() {
        throw Object.create(null);
      },
      getPrototypeOf() {
        throw Object.create(null);
      },
      ownKeys() {
        throw Object.create(null);
      },
      has() {
        throw Object.create(null);
      },
    },
  );

/** What a handler throws, and what the page must get for it. */
const thrown: { name: string; make: () => unknown; expect: { kind: string; data?: unknown; message?: string } }[] = [
  { name: "Object.create(null)", make: () => Object.create(null), expect: { kind: "failed", data: {} } },
  { name: "{ toString: 1 }", make: () => ({ toString: 1 }), expect: { kind: "failed", data: { toString: 1 } } },
  {
    name: "a throwing Symbol.toPrimitive",
    make: () => ({
      [Symbol.toPrimitive]() {
        throw new Error("no");
      },
    }),
    expect: { kind: "failed", data: {} },
  },
  {
    name: "a throwing kind getter",
    make: () => ({
      message: "m",
      get kind(): string {
        throw Object.create(null);
      },
    }),
    expect: { kind: "internal" },
  },
  { name: "a Proxy whose traps throw", make: hostileProxy, expect: { kind: "internal" } },
  { name: "null", make: () => null, expect: { kind: "failed", data: null } },
  { name: "undefined", make: () => undefined, expect: { kind: "failed", data: null } },
  { name: "a string", make: () => "disk is full", expect: { kind: "failed", data: "disk is full", message: "disk is full" } },
  {
    name: "a plain object with a framework kind",
    make: () => ({ kind: "timeout", message: "slow disk" }),
    expect: { kind: "failed", data: { kind: "timeout", message: "slow disk" }, message: "slow disk" },
  },
  { name: "a BigInt (cannot be sent)", make: () => 10n, expect: { kind: "internal" } },
  { name: "a Symbol (cannot be sent)", make: () => Symbol("s"), expect: { kind: "internal" } },
  {
    name: "an Error whose message getter throws",
    make: () => {
      const e = new Error("x");
      Object.defineProperty(e, "message", {
        get() {
          throw Object.create(null);
        },
      });
      return e;
    },
    expect: { kind: "internal" },
  },
  {
    name: "a FerryError",
    make: () => new FerryError("quota", "over quota", { used: 1 }),
    expect: { kind: "quota", data: { used: 1 }, message: "over quota" },
  },
  {
    name: "a FerryError whose kind getter throws",
    make: () => {
      const e = new FerryError("x", "y");
      Object.defineProperty(e, "kind", {
        get() {
          throw 1;
        },
      });
      return e;
    },
    expect: { kind: "internal" },
  },
];

/** What a handler returns that cannot be sent: the call fails, typed, and nothing else happens. */
const returned: { name: string; make: () => unknown; kind: string; asyncKind?: string }[] = [
  {
    name: "a getter that throws Object.create(null)",
    make: () => ({
      get x() {
        throw Object.create(null);
      },
    }),
    kind: "internal",
  },
  {
    name: "a toJSON that throws",
    make: () => ({
      toJSON() {
        throw { toString: 1 };
      },
    }),
    kind: "internal",
  },
  {
    name: "a then getter that throws",
    make: () => ({
      get then() {
        throw Object.create(null);
      },
    }),
    kind: "internal",
    // An async function reads `then` itself: its promise rejects with the thrown value.
    asyncKind: "failed",
  },
  {
    name: "a then that throws",
    make: () => ({
      then() {
        throw Object.create(null);
      },
    }),
    kind: "failed",
  },
  { name: "a Proxy whose traps throw", make: hostileProxy, kind: "internal", asyncKind: "failed" },
  { name: "a Map", make: () => new Map(), kind: "not_serializable" },
  {
    name: "a toJSON that throws a Proxy whose traps throw",
    make: () => ({
      toJSON() {
        throw hostileProxy();
      },
    }),
    kind: "internal",
  },
];

const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);

before(() => {
  process.on("unhandledRejection", onCrash);
  process.on("uncaughtException", onCrash);
});
after(() => {
  process.off("unhandledRejection", onCrash);
  process.off("uncaughtException", onCrash);
});

function check(err: FerryError, expect: { kind: string; data?: unknown; message?: string }, what: string): void {
  assert.equal(err.kind, expect.kind, `${what}: ${err.kind} ${err.message}`);
  if ("data" in expect) assert.deepEqual(err.data, expect.data, what);
  if (expect.message !== undefined) assert.equal(err.message, expect.message, what);
  if (expect.kind === "internal") assert.equal(err.message, "internal error (details are in the backend log)", what);
}

for (const harness of harnesses) {
  describe(`handler throws of any shape (${harness.name})`, () => {
    test("every thrown, rejected and returned shape is answered, the process lives, the connection stays usable", async () => {
      const logged: LogEntry[] = [];
      let current: () => unknown = () => null;
      const app = createApp({
        authorize: allowAll,
        log: (e) => logged.push(e),
        commands: {
          sync_throw: () => {
            throw current();
          },
          async_throw: async () => {
            await Promise.resolve();
            throw current();
          },
          reject: () => Promise.reject(current()),
          schema_throw: defineCommand(z.object({ n: z.number() }), () => {
            throw current();
          }),
          returns: () => current(),
          async_returns: async () => current(),
          rethrow: defineCommand(z.object({ e: z.unknown() }), ({ e }) => {
            throw e;
          }),
          // A Standard Schema whose validate throws a hostile Proxy.
          bad_schema: defineCommand(
            {
              "~standard": {
                version: 1,
                vendor: "test",
                validate: () => {
                  throw hostileProxy();
                },
              },
            },
            () => "unreachable",
          ),
          ok: () => "alive",
        },
      });
      const s = await harness.start(app);
      const c = await s.connect("main");
      try {
        for (const t of thrown) {
          current = t.make;
          for (const cmd of ["sync_throw", "async_throw", "reject", "schema_throw"]) {
            check(await rejection(c.invoke(cmd, { n: 1 })), t.expect, `${cmd} ${t.name}`);
          }
        }
        for (const r of returned) {
          current = r.make;
          for (const cmd of ["returns", "async_returns"]) {
            const err = await rejection(c.invoke(cmd));
            const kind = cmd === "async_returns" ? (r.asyncKind ?? r.kind) : r.kind;
            assert.equal(err.kind, kind, `${cmd} ${r.name}: ${err.message}`);
          }
        }
        // What the page itself sends, rethrown by a handler, comes back as that value.
        check(await rejection(c.invoke("rethrow", { e: { toString: 1 } })), { kind: "failed", data: { toString: 1 } }, "rethrow");
        check(await rejection(c.invoke("rethrow", { e: null })), { kind: "failed", data: null }, "rethrow null");
        assert.equal((await rejection(c.invoke("bad_schema"))).kind, "internal");
        assert.equal(await c.invoke("ok"), "alive");
        assert.deepEqual(crashes, [], "no unhandled rejection or uncaught exception");
        assert.ok(
          logged.some((e) => e.level === "error" && /cannot be sent|failed/.test(e.message)),
          "internal errors are logged",
        );
      } finally {
        await s.stop();
      }
    });

    test("a log function that throws does not take the reply with it", async () => {
      const app = createApp({
        authorize: allowAll,
        log: () => {
          throw Object.create(null);
        },
        commands: {
          bad: () => {
            throw new Error("secret");
          },
        },
      });
      const s = await harness.start(app);
      const c = await s.connect("main");
      try {
        assert.equal((await rejection(c.invoke("bad"))).kind, "internal");
        assert.deepEqual(crashes, []);
      } finally {
        await s.stop();
      }
    });
  });
}
