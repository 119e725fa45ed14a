/**
 * `FERRY_LOG=ipc`: one structured line per call and per event, for watching the traffic
 * without a debugger. A line names the window, the command or event, the duration, the bytes sent and the
 * outcome (`ok` or the error kind); never args, results, payloads or tokens.
 */

/** One line of the IPC log. */
export interface IpcLogLine {
  /** `call` for an invoke, `event` for an emit. */
  type: "call" | "event";
  /** The calling window, or for an event its source (`backend` when the backend emitted). */
  window: string;
  /** The command or event name. */
  name: string;
  /** Milliseconds from arrival to reply (calls only). */
  ms?: number;
  /**
   * Bytes sent: a call's result frame (0 when it failed), an event's encoded payload (0 when
   * no page listens, as it is then not encoded).
   */
  bytes: number;
  /** `ok`, or the error kind the call failed with. */
  outcome: string;
}

/** True when `FERRY_LOG` (comma-separated) includes `ipc`. */
export function ipcLogEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return (env.FERRY_LOG ?? "").split(",").some((part) => part.trim() === "ipc");
}

/** Writes one line, as JSON after a `[ferry] ipc` prefix, to stderr (stdout stays the app's). */
export function writeIpcLine(line: IpcLogLine): void {
  process.stderr.write(`[ferry] ipc ${JSON.stringify(line)}\n`);
}
