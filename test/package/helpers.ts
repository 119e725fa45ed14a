/**
 * Running a user's commands in temp projects, shared by the package tests (test/package/*).
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What a finished command printed, and its exit status. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** This process's environment without what `run` leaves out (below), plus `extra`. */
export function userEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("npm_") && k !== "NODE_OPTIONS" && k !== "NODE_TEST_CONTEXT"),
  );
  return { ...env, ...extra };
}

/**
 * Runs a command to its end. npm's own `npm_*` variables (set when this runs under
 * `npm test`), NODE_OPTIONS and the test runner's NODE_TEST_CONTEXT (a `node --test` in a
 * child would report to this runner, not print) are left out: the children are a user's
 * plain processes.
 */
export function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: userEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A command's outcome, for assertion messages. */
export const shown = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** Runs a command that has to succeed; fails with everything it printed. */
export async function mustRun(what: string, command: string, args: string[], cwd: string): Promise<Run> {
  const r = await run(command, args, cwd);
  assert.equal(r.code, 0, `${what} failed: ${command} ${args.join(" ")} (in ${cwd})\n${shown(r)}`);
  return r;
}

/** Runs npm (no audit, no fund, the cache first), which has to succeed. */
export const npm = (what: string, args: string[], cwd: string) =>
  mustRun(what, "npm", [...args, "--no-audit", "--no-fund", "--prefer-offline"], cwd);

/** Writes `files` (path relative to `dir` → content) under `dir`. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** JSON as a file holds it. */
export const json = (value: unknown) => JSON.stringify(value, null, 2) + "\n";

/** Paths of every file under `dir`, relative to it. */
export async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(dir, path)));
    else out.push(path);
  }
  return out;
}
