/**
 * `ferry/react` and `ferry/vue` in Chromium: each fixture page (test/fixtures/frameworks,
 * bundled here by esbuild from the built package) mounts a component using the typed
 * `useListen` / `useInvoke`. While mounted it hears events and re-calls when its args change
 * without registering again; mounted and unmounted 100 times it leaves 0 listeners on the
 * backend (the bus counts them per connection); unmounting cancels a call in flight.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Page } from "playwright-core";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { launchChromium } from "./support/browser.ts";
import { eventually } from "./support/wait.ts";
import { frameworkApp } from "./fixtures/frameworks/backend.ts";

const fixtures = fileURLToPath(new URL("fixtures/frameworks/", import.meta.url));
let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
let root = "";

before(async () => {
  root = await mkdtemp(join(tmpdir(), "ferry-frameworks-"));
  for (const name of ["react", "vue"]) {
    await build({
      entryPoints: [join(fixtures, `${name}-page.ts`)],
      bundle: true,
      format: "esm",
      platform: "browser",
      outfile: join(root, `${name}.js`),
      define: {
        "process.env.NODE_ENV": '"development"',
        __VUE_OPTIONS_API__: "false",
        __VUE_PROD_DEVTOOLS__: "false",
        __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false",
      },
      logLevel: "warning",
    });
    await writeFile(
      join(root, `${name}.html`),
      `<!doctype html><meta charset="utf-8"><body><script type="module" src="./${name}.js"></script></body>\n`,
    );
  }
  chromium = await launchChromium();
});

after(async () => {
  await chromium?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

for (const name of ["react", "vue"]) {
  describe(`ferry/${name}`, () => {
    let server: FerryServer;
    let page: Page;
    let fixture: ReturnType<typeof frameworkApp>;
    const probe = (call: string) => page.evaluate(`window.probe.${call}`);
    const text = () => page.evaluate(`window.probe.text()`) as Promise<string | null>;

    before(async () => {
      fixture = frameworkApp();
      server = await serveWs(fixture.app, { root, windows: [], log: () => {} });
      page = await chromium!.browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${server.origin}/${name}.html#ferry-token=${server.window("main").token}`);
      await eventually(() => page.evaluate("typeof window.probe === 'object'"), "the fixture page loaded");
      assert.deepEqual(errors, []);
    });
    after(async () => {
      await page?.close();
      await server?.close();
    });

    test("a mounted component hears events and calls again when its args change, with one listener", async () => {
      await probe("mount(1)");
      await eventually(async () => (await text()) === "echo:1|0" && fixture.app.listenerCount("tick") === 1, "echo:1 and one listener");
      fixture.app.emit("tick", 2);
      fixture.app.emit("tick", 3);
      await eventually(async () => (await text()) === "echo:1|5", "two ticks");
      // A re-render with new args calls again; the listener (a new handler each render) is not registered again.
      await probe("mount(2)");
      await eventually(async () => (await text()) === "echo:2|5", "echo:2");
      assert.equal(fixture.seen.echoCalls, 2);
      assert.equal(fixture.app.listenerCount("tick"), 1);
      await probe("unmount()");
      await eventually(() => fixture.app.listenerCount("tick") === 0, "no listener after unmount");
    });

    test("mounted and unmounted 100 times, it leaves 0 listeners on the backend", async () => {
      let peak = 0;
      for (let i = 0; i < 100; i++) {
        await probe(`mount(${i})`);
        // Every tenth round waits for the backend to confirm the listener; the others unmount at once.
        if (i % 10 === 0) await eventually(() => fixture.app.listenerCount("tick") === 1, `round ${i}'s listener`);
        peak = Math.max(peak, fixture.app.listenerCount("tick"));
        await probe("unmount()");
      }
      assert.ok(peak >= 1, "the component did listen");
      await eventually(() => fixture.app.listenerCount("tick") === 0, "0 listeners", 10_000);
      // A listen still in flight at unmount is removed once confirmed: nothing registers late.
      await probe("mount(7)");
      await eventually(() => fixture.app.listenerCount("tick") === 1, "a new mount listens again");
      await probe("unmount()");
      await eventually(() => fixture.app.listenerCount("tick") === 0, "0 listeners at the end");
      assert.equal(fixture.app.listenerCount(), 0, "no listener for any event");
    });

    test("unmounting cancels a call in flight: the handler's signal fires", async () => {
      const before = fixture.seen.waitCancelled;
      await probe("mountWaiter()");
      await eventually(async () => (await text()) === "waiting", "the waiter mounted");
      await probe("unmount()");
      await eventually(() => fixture.seen.waitCancelled === before + 1, "the wait call cancelled");
    });
  });
}
