/**
 * `FERRY_LOG=ipc`: one structured line per call and per event, for watching the traffic
 * without a debugger. A line names the window, the command or event, the duration, the bytes sent and the
 * outcome (`ok` or the error kind); never args, results, payloads or tokens.
 */

import type { IpcLogLine } from "../protocol/inspector.ts";

export type { IpcLogLine } from "../protocol/inspector.ts";

/** True when `FERRY_LOG` (comma-separated) includes `ipc`. */
export function ipcLogEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return (env.FERRY_LOG ?? "").split(",").some((part) => part.trim() === "ipc");
}

/** Writes one line, as JSON after a `[ferry] ipc` prefix, to stderr (stdout stays the app's). */
export function writeIpcLine(line: IpcLogLine): void {
  process.stderr.write(`[ferry] ipc ${JSON.stringify(line)}\n`);
}
