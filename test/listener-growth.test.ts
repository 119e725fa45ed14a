/**
 * The tutorial's third gotcha, listeners that pile up on re-render: in dev mode the backend
 * names the window, the event and the count when one window's listeners for one event reach
 * 10, 20, 40 …; outside dev mode it says nothing.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { allowAll, createApp, type LogEntry } from "ferry";
import { wsHarness } from "./support/transports.ts";

for (const dev of [true, false]) {
  test(`${dev ? "dev mode" : "production"}: 45 listeners for one event that are never removed`, async () => {
    const logs: LogEntry[] = [];
    const app = createApp({ dev, authorize: allowAll, log: (e) => logs.push(e) });
    const server = await wsHarness.start(app);
    try {
      const page = await server.connect("main");
      // The leak: a listener per "render", unlisten never called. A listener that is removed does not count.
      const off = await page.listen("other", () => {});
      off();
      for (let i = 0; i < 45; i++) await page.listen("job-progress", () => {});
      const warnings = logs.filter((e) => e.level === "warn").map((e) => e.message);
      if (!dev) return assert.deepEqual(warnings, []);
      assert.deepEqual(
        warnings.map((m) => /has (\d+) listeners for "job-progress"/.exec(m)?.[1]),
        ["10", "20", "40"],
      );
      assert.match(warnings[0]!, /^window "main" has 10 listeners for "job-progress" and the count keeps growing/);
    } finally {
      await server.stop();
    }
  });
}
