/**
 * Where the compiled bench lives: `bench/launch.mjs` compiles the bench server and the
 * tutorial backend into a temporary folder and names it in FERRY_BENCH_BUILD, so server
 * children run as plain `node` on JavaScript, with no loader, ferry's coming from `dist/`.
 */

import { join } from "node:path";

/** The compiled `bench/server.ts` (`server`) or `examples/tutorial/server.ts` (`tutorial`). */
export function compiledScript(name: "server" | "tutorial"): string {
  const dir = process.env.FERRY_BENCH_BUILD;
  if (!dir) {
    throw new Error(
      "bench: no compiled bench (FERRY_BENCH_BUILD is unset); start bench scripts through " +
        "`node bench/launch.mjs <script>` (`npm run bench` does), so nothing runs under a TypeScript loader",
    );
  }
  return join(dir, `${name}.mjs`);
}
