/**
 * Runs a backend fixture (`child-backend.ts`, `restartable-backend.ts`) in a child process
 * under tsx and waits for the one JSON line it writes to stdout once it listens.
 */

import { spawn, type ChildProcess } from "node:child_process";

/** A backend child: the process, its exit, and what its ready line said. */
export interface ChildBackend<Info> {
  child: ChildProcess;
  exited: Promise<unknown>;
  info: Info;
}

/** Starts `fixture` with `env` added to this process's environment. */
export async function spawnBackend<Info>(fixture: string, env: Record<string, string> = {}): Promise<ChildBackend<Info>> {
  const child = spawn(process.execPath, ["--import", "tsx", fixture], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const exited = new Promise((r) => child.once("exit", r));
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
    });
    void exited.then(() => reject(new Error("the backend exited before it was ready")));
  });
  return { child, exited, info: JSON.parse(line) as Info };
}
