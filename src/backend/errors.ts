/**
 * Turning anything a handler throws into the wire shape: one normaliser, one redaction rule.
 */

import { FerryError, isWireError, type WireError } from "../protocol/errors.ts";

/**
 * Normalises anything thrown into a FerryError. A thrown string is the handler's own
 * message (`failed`), a thrown `{ kind, message }` object its own typed error, as the
 * values of Tauri's `Result::Err`; any other throw is unexpected and becomes `internal`.
 */
export function fromUnknown(err: unknown): FerryError {
  if (err instanceof FerryError) return err;
  if (typeof err === "string") return new FerryError("failed", err);
  if (isWireError(err) && !(err instanceof Error)) return new FerryError(err.kind, err.message, err.data);
  if (err instanceof Error && err.name === "AbortError") {
    return new FerryError("cancelled", "the call was cancelled", undefined, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new FerryError("internal", message, undefined, { cause: err });
}

/**
 * The shape sent to the page. Outside dev mode an `internal` error says only that it
 * happened (the full error goes to the log); in dev mode its message and stack are sent.
 */
export function shapeError(err: FerryError, dev: boolean): WireError {
  if (err.kind !== "internal") return err.toJSON();
  if (!dev) return { kind: "internal", message: "internal error (details are in the backend log)" };
  const cause = err.cause instanceof Error ? err.cause : err;
  return { kind: "internal", message: err.message, data: { stack: cause.stack } };
}
