/**
 * The transport contract: the same behaviour over the in-memory and the WebSocket
 * transport. Every test runs once per transport.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import * as v from "valibot";
import { type } from "arktype";
import { z } from "zod";
import type { Channel as BackendChannel } from "ferry";
import { allowAll, createApp, defineCommand, FerryError, type App, type BackendEvent } from "ferry";
import { Channel, type Client } from "ferry/client";
import { harnesses } from "./support/transports.ts";
import { rejection, until } from "./support/wait.ts";

function makeApp(extra: { dev?: boolean; logs?: unknown[] } = {}) {
  const running = new Map<string, AbortSignal>();
  const events: BackendEvent[] = [];
  const app = createApp({
    authorize: allowAll,
    dev: extra.dev ?? false,
    state: { greeting: "Hello" },
    log: (e) => extra.logs?.push(e),
    commands: {
      greet: defineCommand(z.object({ name: z.string() }), ({ name }, { state }) => `${state.greeting}, ${name}!`),
      greet_valibot: defineCommand(v.object({ name: v.string(), age: v.number() }), ({ name }) => name),
      greet_arktype: defineCommand(type({ name: "string" }), ({ name }) => name),
      nested: defineCommand(z.object({ user: z.object({ tags: z.array(z.string()) }) }), () => "ok"),
      whoami: (_args, ctx) => ctx.window,
      add: ({ a, b }: { a: number; b: number }) => a + b,
      later: async ({ ms }: { ms: number }) => {
        await new Promise((r) => setTimeout(r, ms));
        return ms;
      },
      bigint: () => ({ items: [1, 2, 3, 10n] }),
      a_map: () => ({ lookup: new Map([["a", 1]]) }),
      forgot_await: () => ({ value: Promise.resolve(1) }),
      app_error: ({ path }: { path: string }) => {
        throw new FerryError("not_found", `no file at ${path}`, { path });
      },
      crash: () => {
        throw new Error("secret database password in this message");
      },
      wait_for_abort: (args: { key: string }, { signal }) =>
        new Promise((_resolve, reject) => {
          running.set(args.key, signal);
          signal.addEventListener("abort", () => reject(signal.reason));
        }),
      echo_bytes: ({ data }: { data: Uint8Array }) => ({ length: data.byteLength, reversed: Uint8Array.from(data).reverse(), data }),
      make_bytes: ({ size }: { size: number }) => new Uint8Array(size).map((_, i) => i % 251),
      emit_all: ({ event, payload }: { event: string; payload: unknown }, { app }) => app.emit(event, payload),
      emit_to: ({ label, event, payload }: { label: string; event: string; payload: unknown }, { app }) =>
        app.emitTo(label, event, payload),
      emit_filter: ({ prefix, event }: { prefix: string; event: string }, { app }) =>
        app.emitFilter(event, "filtered", (label) => label.startsWith(prefix)),
      emit_bad_name: (_a, { app }) => app.emit("no spaces allowed", 1),
      stream: async ({ count, onEvent }: { count: number; onEvent: BackendChannel<number> }) => {
        for (let i = 0; i < count; i++) await onEvent.send(i);
        onEvent.close();
        return count;
      },
    },
  });
  app.listen("page-said", (e) => events.push(e));
  return { app, running, events };
}

for (const harness of harnesses) {
  describe(`contract over ${harness.name}`, () => {
    let ctx: ReturnType<typeof makeApp>;
    let server: Awaited<ReturnType<typeof harness.start>>;
    let main: Client;
    const logs: unknown[] = [];

    before(async () => {
      ctx = makeApp({ logs });
      server = await harness.start(ctx.app);
      main = await server.connect("main");
    });
    after(async () => {
      await server.stop();
    });

    test("invoke returns the handler's value; state and window label reach the handler", async () => {
      assert.equal(await main.invoke("greet", { name: "Ada" }), "Hello, Ada!");
      assert.equal(await main.invoke("whoami"), "main");
      const other = await server.connect("settings");
      assert.equal(await other.invoke("whoami"), "settings");
    });

    test("pipelined calls all resolve with their own results", async () => {
      const results = await Promise.all(Array.from({ length: 300 }, (_, i) => main.invoke<number>("add", { a: i, b: 1 })));
      assert.deepEqual(
        results,
        Array.from({ length: 300 }, (_, i) => i + 1),
      );
    });

    test("unknown command: command_not_found with a did-you-mean", async () => {
      const err = await rejection(main.invoke("gret", { name: "x" }));
      assert.equal(err.kind, "command_not_found");
      assert.deepEqual(err.data, { command: "gret", suggestion: "greet" });
      assert.match(err.message, /did you mean "greet"/i);
      const far = await rejection(main.invoke("completely_unrelated_thing"));
      assert.equal(far.kind, "command_not_found");
      assert.equal((far.data as { suggestion?: string }).suggestion, undefined);
    });

    test("invalid args: every problem with its path, for zod, valibot and arktype", async () => {
      const zodErr = await rejection(main.invoke("greet", { name: 42 }));
      assert.equal(zodErr.kind, "invalid_args");
      assert.deepEqual(
        (zodErr.data as { issues: { path: string }[] }).issues.map((i) => i.path),
        ["args.name"],
      );
      const valibotErr = await rejection(main.invoke("greet_valibot", { name: 1, age: "x" }));
      assert.equal(valibotErr.kind, "invalid_args");
      assert.deepEqual((valibotErr.data as { issues: { path: string }[] }).issues.map((i) => i.path).sort(), ["args.age", "args.name"]);
      const arkErr = await rejection(main.invoke("greet_arktype", {}));
      assert.equal(arkErr.kind, "invalid_args");
      assert.deepEqual(
        (arkErr.data as { issues: { path: string }[] }).issues.map((i) => i.path),
        ["args.name"],
      );
      const nestedErr = await rejection(main.invoke("nested", { user: { tags: ["a", 2] } }));
      assert.deepEqual(
        (nestedErr.data as { issues: { path: string }[] }).issues.map((i) => i.path),
        ["args.user.tags[1]"],
      );
    });

    test("args that are not an object of named arguments are invalid_args", async () => {
      // The client always sends objects; speak the wire directly through invoke's escape hatch.
      const err = await rejection(main.invoke("add", [1, 2] as unknown as Record<string, unknown>));
      assert.equal(err.kind, "invalid_args");
    });

    test("not serializable: the path and type of the offending value", async () => {
      const err = await rejection(main.invoke("bigint"));
      assert.equal(err.kind, "not_serializable");
      assert.equal(err.message, "result.items[3]: BigInt cannot be sent");
      assert.deepEqual(err.data, { path: "result.items[3]", type: "BigInt" });
      assert.equal((await rejection(main.invoke("a_map"))).message, "result.lookup: Map cannot be sent");
      assert.match((await rejection(main.invoke("forgot_await"))).message, /result\.value: Promise/);
    });

    test("args that cannot be sent fail on the page before anything is sent", async () => {
      const err = await rejection(main.invoke("add", { a: 1n } as unknown as Record<string, unknown>));
      assert.equal(err.kind, "not_serializable");
      assert.equal(err.message, "args.a: BigInt cannot be sent");
    });

    test("app errors arrive with exactly their kind, message and data", async () => {
      const err = await rejection(main.invoke("app_error", { path: "/nope" }));
      assert.equal(err.kind, "not_found");
      assert.equal(err.message, "no file at /nope");
      assert.deepEqual(err.data, { path: "/nope" });
    });

    test("unexpected throws are internal, redacted outside dev mode, logged on the backend", async () => {
      const err = await rejection(main.invoke("crash"));
      assert.equal(err.kind, "internal");
      assert.doesNotMatch(err.message, /secret/);
      assert.equal(err.data, undefined);
      assert.ok(logs.some((l) => String((l as { error?: Error }).error?.message).includes("secret")));
    });

    test("cancelling a call rejects it with cancelled and fires the handler's signal", async () => {
      const controller = new AbortController();
      const call = main.invoke("wait_for_abort", { key: "cancel-me" }, { signal: controller.signal });
      await until(() => ctx.running.has("cancel-me"), "the handler to start");
      controller.abort();
      assert.equal((await rejection(call)).kind, "cancelled");
      const signal = ctx.running.get("cancel-me")!;
      await until(() => signal.aborted, "the handler's signal");
    });

    test("a timeout rejects with timeout and cancels the handler", async () => {
      const call = main.invoke("wait_for_abort", { key: "slow" }, { timeout: 30 });
      assert.equal((await rejection(call)).kind, "timeout");
      await until(() => ctx.running.get("slow")?.aborted === true, "the handler's signal");
    });

    test("bytes travel as bytes both ways", async () => {
      const data = Uint8Array.from([1, 2, 3, 250]);
      const out = await main.invoke<{ length: number; reversed: Uint8Array; data: Uint8Array }>("echo_bytes", { data });
      assert.equal(out.length, 4);
      assert.ok(out.reversed instanceof Uint8Array);
      assert.deepEqual([...out.reversed], [250, 3, 2, 1]);
      assert.deepEqual([...out.data], [1, 2, 3, 250]);
      const big = await main.invoke<Uint8Array>("make_bytes", { size: 1 << 20 });
      assert.ok(big instanceof Uint8Array);
      assert.equal(big.byteLength, 1 << 20);
      assert.equal(big[1000], 1000 % 251);
    });

    test("emit reaches every listening window; a window that does not listen gets nothing", async () => {
      const a = await server.connect("a");
      const b = await server.connect("b");
      const quiet = await server.connect("quiet");
      const got: string[] = [];
      await a.listen<string>("news", (e) => got.push(`a:${e.payload}`));
      await b.listen<string>("news", (e) => got.push(`b:${e.payload}`));
      let quietGot = 0;
      await quiet.listen("other", () => quietGot++);
      await main.invoke("emit_all", { event: "news", payload: "hi" });
      await until(() => got.length === 2, "both deliveries");
      assert.deepEqual(got.sort(), ["a:hi", "b:hi"]);
      assert.equal(quietGot, 0);
    });

    test("event objects carry event, id and payload", async () => {
      const c = await server.connect("shape");
      let seen: unknown;
      await c.listen("shape-event", (e) => (seen = e));
      await c.invoke("emit_all", { event: "shape-event", payload: { n: 1 } });
      await until(() => seen !== undefined, "the event");
      const e = seen as { event: string; id: number; payload: unknown };
      assert.equal(e.event, "shape-event");
      assert.equal(typeof e.id, "number");
      assert.deepEqual(e.payload, { n: 1 });
    });

    test("emitTo reaches only the named window; emitFilter only the windows that pass", async () => {
      const one = await server.connect("target-one");
      const two = await server.connect("target-two");
      const other = await server.connect("elsewhere");
      const got: string[] = [];
      for (const [name, c] of [
        ["one", one],
        ["two", two],
        ["other", other],
      ] as const) {
        await c.listen("direct", (e) => got.push(`${name}:${e.payload}`));
      }
      await main.invoke("emit_to", { label: "target-one", event: "direct", payload: "x" });
      await main.invoke("emit_filter", { prefix: "target-", event: "direct" });
      await main.invoke("emit_all", { event: "direct", payload: "end" });
      await until(() => got.filter((g) => g.endsWith(":end")).length === 3, "the final broadcast");
      assert.deepEqual(got.filter((g) => !g.endsWith(":end")).sort(), ["one:filtered", "one:x", "two:filtered"]);
    });

    test("the page's emitTo reaches only the window with that label", async () => {
      const x = await server.connect("page-x");
      const y = await server.connect("page-y");
      const got: string[] = [];
      await x.listen("ping", () => got.push("x"));
      await y.listen("ping", () => got.push("y"));
      await main.emitTo("page-y", "ping", 1);
      await main.emitTo({ kind: "WebviewWindow", label: "page-x" }, "ping", 2);
      await until(() => got.length === 2, "two deliveries");
      assert.deepEqual(got.sort(), ["x", "y"]);
    });

    test("unlisten stops delivery; once fires once", async () => {
      const c = await server.connect("unlistener");
      let count = 0;
      let onceCount = 0;
      const unlisten = await c.listen("tick", () => count++);
      await c.once("tick", () => onceCount++);
      await c.invoke("emit_all", { event: "tick", payload: 1 });
      await until(() => count === 1, "first tick");
      unlisten();
      await c.invoke("emit_all", { event: "tick", payload: 2 });
      // A second listener proves the later tick was delivered to this connection at all.
      let later = 0;
      await c.listen("tick", () => later++);
      await c.invoke("emit_all", { event: "tick", payload: 3 });
      await until(() => later === 1, "the later tick");
      assert.equal(count, 1);
      assert.equal(onceCount, 1);
      assert.equal(ctx.app.listenerCount("tick"), 1);
    });

    test("the page's emit reaches backend listeners with the source window", async () => {
      const c = await server.connect("talker");
      await c.emit("page-said", { text: "hello" });
      await until(() => ctx.events.length > 0, "the backend listener");
      assert.deepEqual(ctx.events.at(-1), { event: "page-said", payload: { text: "hello" }, window: "talker" });
    });

    test("invalid event names are refused on both sides", async () => {
      await assert.rejects(
        main.listen("has space", () => {}),
        (e: FerryError) => e.kind === "invalid_event",
      );
      assert.equal((await rejection(main.invoke("plugin:event|listen", { event: "a b", handler: 999 }))).kind, "invalid_event");
      assert.equal((await rejection(main.invoke("emit_bad_name"))).kind, "invalid_event");
    });

    test("a channel delivers every message in order, then closes", async () => {
      const got: number[] = [];
      let closed = false;
      const channel = new Channel<number>((n) => got.push(n));
      channel.onclose = () => (closed = true);
      assert.equal(await main.invoke("stream", { count: 1000, onEvent: channel }), 1000);
      await until(() => closed, "the channel to close");
      assert.deepEqual(
        got,
        Array.from({ length: 1000 }, (_, i) => i),
      );
    });

    test("a closing connection aborts its running handlers and frees its listeners", async () => {
      const c = await server.connect("leaver");
      await c.listen("leaver-event", () => {});
      const call = c.invoke("wait_for_abort", { key: "leaver" });
      await until(() => ctx.running.has("leaver"), "the handler to start");
      assert.equal(ctx.app.listenerCount("leaver-event"), 1);
      c.close();
      assert.equal((await rejection(call)).kind, "connection_closed");
      const signal = ctx.running.get("leaver")!;
      await until(() => signal.aborted, "the handler's signal");
      assert.equal((signal.reason as FerryError).kind, "cancelled");
      await until(() => ctx.app.listenerCount("leaver-event") === 0, "listeners to be freed");
      assert.equal((await rejection(c.invoke("greet", { name: "x" }))).kind, "connection_closed");
    });

    test("the backend closing rejects the page's calls in flight", async () => {
      const own = makeApp();
      const s = await harness.start(own.app);
      const c = await s.connect("main");
      const call = c.invoke("wait_for_abort", { key: "k" });
      await until(() => own.running.has("k"), "the handler to start");
      own.app.close();
      const err = await rejection(call);
      assert.equal(err.kind, "connection_closed");
      await s.stop();
    });
  });
}

describe("dev mode", () => {
  test("internal errors carry message and stack in dev mode only", async () => {
    for (const harness of harnesses) {
      const { app } = makeApp({ dev: true });
      const s = await harness.start(app);
      const c = await s.connect("main");
      const err = await rejection(c.invoke("crash"));
      assert.equal(err.kind, "internal");
      assert.match(err.message, /secret database password/);
      assert.match(String((err.data as { stack: string }).stack), /crash/);
      await s.stop();
    }
  });
});

describe("blocking handlers", () => {
  test("dev mode warns when a handler blocks the event loop; production stays quiet", async () => {
    for (const dev of [true, false]) {
      const logs: { level: string; message: string }[] = [];
      const app = createApp({
        dev,
        authorize: allowAll,
        log: (e) => logs.push(e),
        commands: {
          read_sync: () => {
            const until = performance.now() + 80;
            while (performance.now() < until);
            return "done";
          },
        },
      });
      const s = await harnesses[0]!.start(app);
      const c = await s.connect("main");
      assert.equal(await c.invoke("read_sync"), "done");
      const warned = logs.some((l) => l.level === "warn" && /read_sync.*blocked the event loop.*fs\/promises/.test(l.message));
      assert.equal(warned, dev);
      await s.stop();
    }
  });
});

describe("access seam", () => {
  test("an app without access rules denies every call and says how to grant", async () => {
    for (const harness of harnesses) {
      const app = createApp({ commands: { greet: () => "hi" } });
      const s = await harness.start(app);
      const c = await s.connect("main");
      const err = await rejection(c.invoke("greet"));
      assert.equal(err.kind, "permission_denied");
      assert.match(err.message, /denies by default/);
      assert.match(err.message, /allowAll/);
      // Events are commands too: no rules, no listening.
      await assert.rejects(
        c.listen("x", () => {}),
        (e: FerryError) => e.kind === "permission_denied",
      );
      await s.stop();
    }
  });

  test("an access rule that throws or answers nonsense denies; the backend goes on", async () => {
    for (const harness of harnesses) {
      const logs: { level: string; message: string }[] = [];
      const app = createApp({
        commands: { boom: () => 1, odd: () => 2, fine: () => 3 },
        log: (e) => logs.push(e),
        authorize: ({ command }) => {
          if (command === "boom") throw new Error("policy store down");
          if (command === "odd") return undefined as unknown as boolean;
          return true;
        },
      });
      const s = await harness.start(app);
      const c = await s.connect("main");
      assert.equal((await rejection(c.invoke("boom"))).kind, "permission_denied");
      assert.equal((await rejection(c.invoke("odd"))).kind, "permission_denied");
      assert.equal(await c.invoke("fine"), 3);
      assert.equal(logs.filter((l) => l.level === "error").length, 2);
      await s.stop();
    }
  });

  test("authorize decides per window; a denied call is permission_denied", async () => {
    for (const harness of harnesses) {
      const app: App = createApp({
        commands: { secret: () => 42, open: () => 1 },
        authorize: ({ window, command }) => command !== "secret" || window === "admin",
      });
      const s = await harness.start(app);
      const user = await s.connect("user");
      const admin = await s.connect("admin");
      const err = await rejection(user.invoke("secret"));
      assert.equal(err.kind, "permission_denied");
      assert.deepEqual(err.data, { command: "secret", window: "user" });
      assert.equal(await admin.invoke("secret"), 42);
      assert.equal(await user.invoke("open"), 1);
      await s.stop();
    }
  });
});
