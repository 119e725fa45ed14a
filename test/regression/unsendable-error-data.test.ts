/**
 * A handler that throws a FerryError whose `data` JSON cannot carry (a BigInt) used to
 * throw inside the reply path, an unhandled rejection that ends the process. The page now
 * gets the error's kind and message, with a note that its data was dropped.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { allowAll, createApp, FerryError } from "ferry";
import { harnesses } from "../support/transports.ts";

test("an app error with unsendable data still reaches the page with its kind", async () => {
  for (const harness of harnesses) {
    const app = createApp({
      authorize: allowAll,
      commands: {
        sync_bad: () => {
          throw new FerryError("quota", "over quota", { used: 10n });
        },
        async_bad: async () => {
          throw new FerryError("quota", "over quota", { used: 10n });
        },
        fine: () => "ok",
      },
    });
    const s = await harness.start(app);
    const c = await s.connect("main");
    for (const cmd of ["sync_bad", "async_bad"]) {
      await assert.rejects(c.invoke(cmd), (e: FerryError) => {
        assert.equal(e.kind, "quota");
        assert.match(e.message, /^over quota \(its data was dropped: error\.data\.used: BigInt/);
        return true;
      });
    }
    assert.equal(await c.invoke("fine"), "ok");
    await s.stop();
  }
});
