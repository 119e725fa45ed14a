// Runs every test, suite by suite, and prints the minutes each took (CI has 90 minutes on
// 2 cores: keep the whole well inside).
//   node scripts/test.mjs            every suite
//   node scripts/test.mjs --unit     everything that needs no browser
//   node scripts/test.mjs FILE…      just these files
// Unit tests sit beside their modules (src/**/*.test.ts); integration tests under test/,
// end-to-end tests in a real Chromium under test/e2e/, the packed tarball under test/package/.
// Node 20's test runner takes no globs, so this finds the files.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out.sort();
}

const BROWSER_DIRS = ["test/e2e", "test/package"];
const needsBrowser = (f) => BROWSER_DIRS.some((d) => f.startsWith(d + "/"));

const args = process.argv.slice(2);
const unitOnly = args.includes("--unit");
const only = args.filter((a) => !a.startsWith("--"));

/** [name, files] in the order they run. */
let suites;
if (only.length > 0) suites = [["selected", only]];
else {
  const tests = find("test");
  suites = [
    ["unit (src)", find("src")],
    ["integration (test)", tests.filter((f) => !needsBrowser(f))],
    ...(unitOnly
      ? []
      : [
          ["end-to-end (Chromium)", tests.filter((f) => f.startsWith("test/e2e/"))],
          ["package (packed tarball)", tests.filter((f) => f.startsWith("test/package/"))],
        ]),
  ].filter(([, files]) => files.length > 0);
}
if (suites.length === 0) {
  console.error("no test files found");
  process.exit(1);
}

/** Runs one suite; resolves to its pass and fail counts from the TAP stream it prints. */
function run(files) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", "--test-concurrency=1", ...files], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let pass = 0;
    let fail = 0;
    let rest = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      const lines = (rest + chunk.toString("utf8")).split("\n");
      rest = lines.pop();
      for (const line of lines) {
        const m = /^# (pass|fail) (\d+)$/.exec(line);
        if (m) m[1] === "pass" ? (pass += Number(m[2])) : (fail += Number(m[2]));
      }
    });
    child.on("close", (code) => resolve({ pass, fail, code: code ?? 1 }));
  });
}

const results = [];
for (const [name, files] of suites) {
  const started = Date.now();
  const r = await run(files);
  results.push({ name, files: files.length, minutes: (Date.now() - started) / 60000, ...r });
}

console.log("\nsuite                          files  pass  fail  minutes");
for (const r of results) {
  console.log(
    `${r.name.padEnd(30)} ${String(r.files).padStart(5)} ${String(r.pass).padStart(5)} ${String(r.fail).padStart(5)} ${r.minutes.toFixed(2).padStart(8)}`,
  );
}
const pass = results.reduce((n, r) => n + r.pass, 0);
const fail = results.reduce((n, r) => n + r.fail, 0);
const total = results.reduce((n, r) => n + r.minutes, 0);
console.log(`total ${total.toFixed(2)} minutes`);
console.log(`${pass} passed, ${fail} failed`);
process.exit(results.every((r) => r.code === 0) && pass > 0 ? 0 : 1);
