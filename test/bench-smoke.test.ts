/**
 * `npm run bench -- --quick` end to end, without the browser: every contender and every
 * Node workload reports a finite figure, and the table names them all. It runs the way
 * `npm run bench` does (bench/launch.mjs: compiled, plain node, ferry from dist/), so it
 * needs `npm run build` first, as `npm test` does. No timing is asserted; the bench itself
 * never runs in `npm test`.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchResults } from "../bench/run.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

test("npm run bench -- --quick reports every contender on every workload", () => {
  const dir = mkdtempSync(join(tmpdir(), "ferry-bench-smoke-"));
  try {
    const out = join(dir, "results.json");
    // As `npm run bench` runs it: compiled by bench/launch.mjs, plain node, no loader.
    const r = spawnSync(process.execPath, ["bench/launch.mjs", "run", "--quick", "--no-browser", "--out", out], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(r.status, 0, `bench exited with ${r.status}:\n${r.stderr}`);
    const results = JSON.parse(readFileSync(out, "utf8")) as BenchResults;
    assert.equal(results.mode, "quick");
    const node = [
      "rt_p50",
      "rt_p99",
      "pipelined",
      "binary",
      "events_1",
      "events_100",
      "mem_windows",
      "mem_listeners",
      "cold_start",
      "cold_start_server",
    ];
    for (const id of node) {
      const figure = results.figures.find((f) => f.id === id);
      assert.ok(figure, `figure ${id} missing`);
      for (const contender of ["raw", "birpc", "trpc", "ferry"] as const) {
        const value = figure.values[contender];
        assert.ok(value, `${id}: no value for ${contender}`);
        assert.ok(
          Number.isFinite(value.median) && Number.isFinite(value.min) && Number.isFinite(value.max),
          `${id}/${contender}: not finite`,
        );
        assert.ok(Number.isFinite(figure.ratios[contender]), `${id}/${contender}: ratio not finite`);
      }
      assert.equal(typeof figure.met === "boolean" || figure.met === null, true);
      assert.ok(results.table.includes(figure.title), `table lacks ${figure.title}`);
    }
    const channel = results.figures.find((f) => f.id === "channel");
    assert.ok(channel, "figure channel missing");
    for (const contender of ["raw", "ferry"] as const) {
      assert.ok(Number.isFinite(channel.values[contender]?.median), `channel: no value for ${contender}`);
    }
    const upload = results.figures.find((f) => f.id === "upload");
    assert.ok(upload, "figure upload missing");
    for (const contender of ["raw", "ferry"] as const) {
      assert.ok(Number.isFinite(upload.values[contender]?.median), `upload: no value for ${contender}`);
    }
    const size = results.figures.find((f) => f.id === "client_size");
    assert.ok(size?.values.ferry && size.values.ferry.median > 0, "client size missing");
    assert.ok(results.machine.nproc > 0 && results.machine.node.startsWith("v"));
    // By default the clients run on one core and every server child on another (bench/placement.ts),
    // as read back from /proc for the bench process and a running server.
    const hasTaskset = spawnSync("taskset", ["-c", "0", "true"]).status === 0;
    const { mode, clients, servers } = results.machine.placement;
    if (results.machine.nproc >= 2 && hasTaskset) {
      assert.equal(mode, "split");
      assert.match(clients ?? "", /^\d+$/, `clients on ${clients}`);
      assert.match(servers ?? "", /^\d+$/, `servers on ${servers}`);
      assert.notEqual(clients, servers);
    } else {
      assert.equal(mode, "os");
    }
    // The printed table is the same one the results file holds.
    assert.ok(r.stdout.includes(results.table));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
