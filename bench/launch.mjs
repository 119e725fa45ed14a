// `node bench/launch.mjs <script> [args…]`: runs a bench script the way users run ferry,
// as compiled JavaScript on plain `node`, with no TypeScript loader anywhere.
//
//   node bench/launch.mjs run [--quick …]   the benchmark (`npm run bench` calls this)
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
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SCRIPTS = ["run", "cost", "profile", "overhead", "large", "split"];
const [script, ...args] = process.argv.slice(2);
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
  process.stderr.write(`bench: compiled to ${out} in ${Date.now() - started} ms; running ${script}.mjs on plain node\n`);
  // --expose-gc: timed sections start from a collected heap (bench/workloads.ts, settle()).
  const child = spawn(process.execPath, ["--expose-gc", join(out, `${script}.mjs`), ...args], {
    stdio: "inherit",
    env: { ...process.env, FERRY_BENCH_BUILD: out },
  });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  code = await new Promise((resolve) => child.once("exit", (c, signal) => resolve(c ?? (signal ? 130 : 1))));
} finally {
  if (!process.env.FERRY_BENCH_KEEP) await rm(out, { recursive: true, force: true });
}
process.exit(code);
