/**
 * The page side of the tutorial's third gotcha (`ferry/client/dev`, served as
 * `/__ferry/dev.js`), in Chromium: with it loaded the page warns when one handler is
 * registered twice for an event, and when its listeners for one event reach 10, 20, 40 …,
 * naming the event and the count; listeners that are removed do not count. Without it
 * (production) the same page says nothing.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { allowAll, createApp } from "ferry";
import { serveWs } from "ferry/transports/ws";
import { launchChromium } from "../support/browser.ts";

const LEAKY_PAGE = `
  const dup = () => {};
  await client.listen("saved", dup);
  await client.listen("saved", dup);
  // Added and removed: not a leak.
  for (let i = 0; i < 30; i++) (await client.listen("tidy", () => {}))();
  // The leak: a listener per "render", never removed.
  for (let i = 0; i < 45; i++) await client.listen("job-progress", () => {});
`;

for (const dev of [true, false]) {
  test(`${dev ? "with ferry/client/dev" : "production (without it)"}: duplicate and growing listeners`, async () => {
    const app = createApp({ authorize: allowAll, log: () => {} });
    const server = await serveWs(app, { windows: [], log: () => {} });
    const chromium = await launchChromium();
    try {
      const page = await chromium.browser.newPage();
      const warnings: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "warning" && m.text().startsWith("ferry:")) warnings.push(m.text());
      });
      await page.goto(`${server.origin}/`);
      await page.evaluate(`(async () => {
        const ferry = await import("/__ferry/client.js");
        ${dev ? `await import("/__ferry/dev.js");` : ""}
        const client = ferry.connect({ token: "${server.window("main").token}" });
        ${LEAKY_PAGE}
      })()`);
      assert.equal(app.listenerCount("job-progress"), 45, "the page did register its listeners");
      if (!dev) return assert.deepEqual(warnings, []);
      assert.equal(warnings.length, 4, warnings.join("\n"));
      assert.match(warnings[0]!, /^ferry: the same handler is registered twice for "saved" \(this page now has 2 listeners for it\)/);
      assert.deepEqual(
        warnings.slice(1).map((w) => /^ferry: this page has (\d+) listeners for "job-progress" and the count keeps growing/.exec(w)?.[1]),
        ["10", "20", "40"],
      );
    } finally {
      await chromium.close();
      await server.close();
    }
  });
}
