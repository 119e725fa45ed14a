/**
 * The inspector's feed costs nothing while nobody watches: no preview of a call's values is
 * made before an inspector watches, or after it leaves (docs/inspector.md).
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { allowAll, createApp } from "ferry";
import { createClient } from "ferry/client";
import { connectMemory } from "ferry/transports/memory";

test("values are previewed only while an inspector watches", async () => {
  let reads = 0;
  const app = createApp({
    dev: true,
    authorize: allowAll,
    log: () => {},
    commands: {
      // A result that counts how often its value is read: once to send it, once more per preview.
      counted: () => ({
        get value() {
          reads++;
          return 1;
        },
      }),
    },
  });
  const page = createClient(connectMemory(app, "main"));
  const readsPerCall = async () => {
    const before = reads;
    assert.deepEqual(await page.invoke("counted"), { value: 1 });
    return reads - before;
  };
  const unwatched = await readsPerCall();
  assert.ok(unwatched >= 1);

  const inspector = createClient(connectMemory(app, "__ferry_inspector"));
  assert.deepEqual(await inspector.invoke("watch", { handler: 1 }), { windows: ["main"], previewChars: 2048 });
  assert.equal(await readsPerCall(), unwatched + 1, "watched: one more read, the preview's");

  // The in-memory transport delivers in order: the inspector is gone before the next call arrives.
  inspector.close();
  assert.equal(await readsPerCall(), unwatched, "no preview once the inspector left");
  page.close();
});
