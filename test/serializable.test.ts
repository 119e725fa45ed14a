/**
 * The tutorial's fourth gotcha at run time (docs/types.md, "What arrives"): every value JSON
 * cannot carry unchanged is refused with `not_serializable` naming its path and type, for a
 * result, an event payload and a channel message. Refused by the backend on top of the
 * codec's own list: `undefined` in an array and a class instance without `toJSON`. What JSON
 * carries faithfully (a `Date` through `toJSON`, a class with `toJSON`, null-prototype
 * objects, `undefined` object fields, bytes) still arrives.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { allowAll, createApp, FerryError, type Channel as BackendChannel } from "ferry";
import { Channel, createClient, type Client } from "ferry/client";
import { connectMemory } from "ferry/transports/memory";
import { rejection } from "./support/wait.ts";

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}
class Money {
  constructor(public cents: number) {}
  toJSON() {
    return { cents: this.cents, currency: "EUR" };
  }
}
class Empty {}

/** Each refused value, the path the error names and the type it gives. */
const REFUSED: [what: string, value: () => unknown, path: string, type: string][] = [
  ["undefined in an array", () => ({ sizes: [1, undefined, 3] }), "result.sizes[1]", "undefined"],
  ["a hole in a sparse array", () => [1, , 3], "result[1]", "undefined"],
  ["a class instance with methods", () => ({ at: new Point(1, 2) }), "result.at", "Point"],
  ["a class instance without methods", () => [{ e: new Empty() }], "result[0].e", "Empty"],
  ["an object from Object.create", () => Object.create({ inherited: 1 }), "result", "Object"],
  ["BigInt", () => ({ n: 1n }), "result.n", "BigInt"],
  ["Map", () => ({ m: new Map([["a", 1]]) }), "result.m", "Map"],
  ["Set", () => ({ s: new Set([1]) }), "result.s", "Set"],
  ["a function", () => ({ f: () => 1 }), "result.f", "function"],
  ["a Symbol", () => ({ s: Symbol("x") }), "result.s", "Symbol"],
  ["NaN", () => ({ n: NaN }), "result.n", "NaN"],
  ["a cycle", () => ((o: Record<string, unknown>) => ((o.self = o), o))({}), "result.self", "circular"],
  ["a Promise", () => ({ p: Promise.resolve(1) }), "result.p", "Promise (forgot an await?)"],
];

async function withClient(
  commands: Record<string, () => unknown>,
  run: (client: Client, app: ReturnType<typeof createApp>) => Promise<void>,
) {
  const app = createApp({ commands, authorize: allowAll, log: () => {} });
  const client = createClient(connectMemory(app, "main"));
  try {
    await run(client, app);
  } finally {
    client.close();
  }
}

for (const [what, value, path, type] of REFUSED) {
  test(`a result holding ${what} is refused with not_serializable naming ${path}`, async () => {
    await withClient({ give: value }, async (client) => {
      const err = await rejection(client.invoke("give"));
      assert.equal(err.kind, "not_serializable", err.message);
      assert.deepEqual(err.data, { path, type });
      assert.ok(err.message.startsWith(`${path}: `), err.message);
    });
  });
}

test("what JSON carries faithfully still arrives: Date, toJSON classes, null-prototype objects, undefined fields, bytes", async () => {
  const bare = Object.assign(Object.create(null) as object, { a: 1 });
  const at = new Date(Date.UTC(2026, 0, 2));
  await withClient(
    { give: () => ({ at, money: [new Money(150)], bare, skipped: undefined, list: [null, 0, ""], bytes: new Uint8Array([1, 2]) }) },
    async (client) => {
      assert.deepEqual(await client.invoke("give"), {
        at: at.toISOString(),
        money: [{ cents: 150, currency: "EUR" }],
        bare: { a: 1 },
        list: [null, 0, ""],
        bytes: new Uint8Array([1, 2]),
      });
    },
  );
});

test("the messages say what to do instead", async () => {
  await withClient({ hole: () => [undefined], point: () => new Point(0, 0) }, async (client) => {
    assert.match(
      (await rejection(client.invoke("hole"))).message,
      /undefined in an array cannot be sent \(JSON would turn it into null\): use null/,
    );
    assert.match(
      (await rejection(client.invoke("point"))).message,
      /an instance of Point without toJSON\(\) cannot be sent .*give the class a toJSON\(\)/,
    );
  });
});

test("an event payload holding undefined in an array or a class instance is refused at emit", async () => {
  await withClient({}, async (client, app) => {
    await client.listen("e", () => {});
    for (const [payload, path] of [
      [[1, undefined], "payload[1]"],
      [{ p: new Point(0, 0) }, "payload.p"],
    ] as const) {
      assert.throws(
        () => app.emit("e", payload),
        (err: unknown) => err instanceof FerryError && err.kind === "not_serializable" && (err.data as { path: string }).path === path,
      );
    }
  });
});

test("a channel message holding undefined in an array or a class instance is refused by send, at once", async () => {
  let outcomes: string[] = [];
  const commands = {
    stream: async ({ ch }: { ch: BackendChannel<unknown> }) => {
      outcomes = [];
      for (const m of [[undefined], { p: new Point(0, 0) }, [1, 2]]) {
        try {
          await ch.send(m);
          outcomes.push("sent");
        } catch (e) {
          outcomes.push(`${(e as FerryError).kind} ${((e as FerryError).data as { path: string }).path}`);
        }
      }
    },
  };
  const app = createApp({ commands, authorize: allowAll, log: () => {} });
  const client = createClient(connectMemory(app, "main"));
  try {
    const got: unknown[] = [];
    await client.invoke("stream", { ch: new Channel((m) => got.push(m)) });
    assert.deepEqual(outcomes, ["not_serializable message[0]", "not_serializable message.p", "sent"]);
  } finally {
    client.close();
  }
});
