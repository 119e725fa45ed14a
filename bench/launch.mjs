// `node bench/launch.mjs <script> [args…]`: runs a bench script the way users run ferry,
// as compiled JavaScript on plain `node`, with no TypeScript loader anywhere.
//
//   node bench/launch.mjs run [--quick …]   the benchmark (`npm run bench` calls this)
//   any script: --placement split|shared|os  which cores clients and servers run on
//                                           (bench/placement.ts; default split)
//   node bench/launch.mjs cost [rounds]     CPU time per call (docs/profile.md)
//   node bench/launch.mjs profile [raw ferry]
//   node bench/launch.mjs overhead
//   node bench/launch.mjs large [MiB]       copies held for a large binary result
//
// esbuild compiles the bench's own TypeScript (bench/*.ts, and the tutorial backend that
// the cold-start row starts) into a temporary folder. Packages are not bundled: every
// `import "ferry…"`, `"ws"`, `"birpc"`, `"@trpc/…"`, `"zod"` stays an import of the file
// Node itself resolves (for ferry: `dist/`, through package.json `exports`), so each
// contender runs its published, compiled code, and all of them run the same way. Server
// children find the compiled server and tutorial through FERRY_BENCH_BUILD. The folder is
// removed afterwards (FERRY_BENCH_KEEP=1 keeps it, to read what ran).
import { build } from "esbuild";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { builtinModules } from "node:module";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SCRIPTS = ["run", "cost", "profile", "overhead", "large", "split"];
const [script, ...given] = process.argv.slice(2);

// --placement split|shared|os (bench/placement.ts): which cores clients and servers run on.
const args = [];
let placement;
for (let i = 0; i < given.length; i++) {
  const [flag, value] = given[i].split("=", 2);
  if (flag === "--placement") placement = value ?? given[++i];
  else args.push(given[i]);
}
/** The cores this process may run on, as Linux lists them (`0-1`, `0,2`), else every core. */
const allowed =
  (() => {
    try {
      return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    } catch {
      return undefined;
    }
  })() ?? `0-${cpus().length - 1}`;
const cores = allowed.split(",").flatMap((range) => {
  const [from, to = from] = range.split("-").map(Number);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
});
const hasTaskset = spawnSync("taskset", ["-c", String(cores[0]), "true"]).status === 0;
if (placement === undefined) placement = cores.length >= 2 && hasTaskset ? "split" : "os";
if (!["split", "shared", "os"].includes(placement)) {
  console.error(`bench: --placement must be split, shared or os, got ${placement}`);
  process.exit(2);
}
if (placement !== "os" && !hasTaskset) {
  console.error(`bench: --placement ${placement} needs taskset (Debian: apt-get install util-linux); --placement os runs unpinned`);
  process.exit(1);
}
if (placement === "split" && cores.length < 2) {
  console.error(`bench: --placement split needs 2 cores, this process may use ${allowed}; use shared or os`);
  process.exit(1);
}
/** Clients on the first allowed core; servers on the second (split) or the same one (shared). */
const [clientCore, serverCore] = [cores[0], placement === "split" ? cores[1] : cores[0]];
if (!SCRIPTS.includes(script)) {
  console.error(`usage: node bench/launch.mjs <${SCRIPTS.join("|")}> [args…]`);
  process.exit(2);
}
if (!existsSync(join(root, "dist/backend/index.js"))) {
  console.error("bench: dist/ is missing; run `npm run build` first (`npm run bench` does)");
  process.exit(1);
}

/** Bare specifiers stay imports, of the file Node resolves for them from this package. */
const packagesAsResolved = {
  name: "packages-as-resolved",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, ({ path }) =>
      path.startsWith("node:") || builtinModules.includes(path)
        ? { path, external: true }
        : { path: import.meta.resolve(path), external: true },
    );
  },
};

/**
 * The modules keep the `import.meta.url` of their source file, so paths they derive from it
 * (bench/results.json, bench/page/, the tutorial's ui/ and capabilities/) are the real ones.
 * Every module that reads it sits in the entry's folder.
 */
const common = (sourceOfUrl) => ({
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outExtension: { ".js": ".mjs" },
  define: { "import.meta.url": JSON.stringify(pathToFileURL(sourceOfUrl).href) },
  plugins: [packagesAsResolved],
  logLevel: "warning",
});

const out = await mkdtemp(join(tmpdir(), "ferry-bench-"));
let code = 1;
try {
  const started = Date.now();
  await Promise.all([
    build({
      ...common(join(root, "bench/run.ts")),
      entryPoints: Object.fromEntries([...SCRIPTS, "server"].map((s) => [s, join(root, "bench", `${s}.ts`)])),
      // Code splitting keeps server.ts's `import(\`./contenders/${name}.ts\`)` lazy: a server
      // child loads only its own contender's module (and packages), as before.
      splitting: true,
      chunkNames: "chunks/[name]-[hash]",
      outdir: out,
    }),
    build({
      ...common(join(root, "examples/tutorial/server.ts")),
      entryPoints: { tutorial: join(root, "examples/tutorial/server.ts") },
      outdir: out,
    }),
  ]);
  process.stderr.write(
    `bench: compiled to ${out} in ${Date.now() - started} ms; running ${script}.mjs on plain node, placement ${placement}` +
      (placement === "os" ? "\n" : ` (clients on core ${clientCore}, servers on core ${serverCore})\n`),
  );
  // --expose-gc: timed sections start from a collected heap (bench/workloads.ts, settle()).
  const command = [process.execPath, "--expose-gc", join(out, `${script}.mjs`), ...args];
  // The script (every client) on the client core; server children on the server core.
  const child = spawn(
    placement === "os" ? command[0] : "taskset",
    placement === "os" ? command.slice(1) : ["-c", String(clientCore), ...command],
    {
      stdio: "inherit",
      env: {
        ...process.env,
        FERRY_BENCH_BUILD: out,
        FERRY_BENCH_PLACEMENT: placement,
        FERRY_BENCH_SERVER_CPU: String(serverCore),
        FERRY_BENCH_ALL_CPUS: allowed,
      },
    },
  );
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  code = await new Promise((resolve) => child.once("exit", (c, signal) => resolve(c ?? (signal ? 130 : 1))));
} finally {
  if (!process.env.FERRY_BENCH_KEEP) await rm(out, { recursive: true, force: true });
}
process.exit(code);
