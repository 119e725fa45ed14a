/**
 * What the IPC log writes and the dev-mode inspector's feed carries, one row per call and
 * per event: shared by the backend (`FERRY_LOG=ipc`, src/backend/inspector.ts) and the
 * inspector's page (src/client/inspector.ts).
 */

/** The event name the inspector's rows arrive under, on its own connection only. */
export const INSPECTOR_EVENT = "ferry:inspector";

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

/** One row of the feed: an IPC log line with when it ended and previews of its values. */
export interface InspectorRow extends IpcLogLine {
  /** Row number from 1, per app run: a gap means rows were dropped. */
  seq: number;
  /** When the call settled or the event was emitted (ms since the epoch). */
  at: number;
  /** A call's arguments, as a preview (`preview`). */
  args?: string;
  /** A call's result (calls that succeeded). */
  result?: string;
  /** A call's error: `{ kind, message, data }` (calls that failed). */
  error?: string;
  /** An event's payload. */
  payload?: string;
}
