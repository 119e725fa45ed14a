/**
 * Turning anything a handler throws into the wire shape: one rule, one normaliser, one
 * redaction rule (docs/errors.md, "What a handler throws").
 *
 * - a `FerryError` keeps its kind, message and data;
 * - a thrown value that is not an `Error` (a string, a plain object, `null` …) reaches the
 *   page as that value, as Tauri's `Err(e)` does: kind `failed`, the value in `data`;
 * - any other `Error`, subclasses included, becomes `internal` (its message and stack only
 *   in dev mode);
 * - a value that cannot be read, shaped or serialized becomes `internal` and is logged.
 *
 * Nothing here may throw, whatever the value: a throw inside a promise callback of the
 * router would be an unhandled rejection, which ends a Node process.
 */

import { FerryError, type WireError } from "../protocol/errors.ts";

/** A thrown non-Error value: kind `failed`, the value itself in `data`. */
export class ThrownValue extends FerryError<"failed"> {
  constructor(value: unknown, message: string) {
    super("failed", message, value === undefined ? null : value);
  }
}

/**
 * What a Tauri page receives for a value an app command threw: a sound `FerryError` (not
 * `internal`) as its wire shape, wrapped as a thrown value, so no kind of the app's is read
 * as one of ferry's own. Anything else is left for `fromUnknown`.
 */
export function asThrownForTauri(err: unknown): unknown {
  if (!isSoundFerryError(err) || err instanceof ThrownValue || err.kind === "internal") return err;
  return new ThrownValue(err.toJSON(), err.message);
}

/** The message a ferry page sees for a thrown value: the string, or the object's own string `message`. */
function thrownMessage(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) {
    const message = (value as { message?: unknown }).message;
    if (typeof message === "string") return message;
  }
  return "the command failed (the value it threw is in data)";
}

/** `internal`, with `cause` kept for the log; `message` is only ever shown in dev mode. */
export function internalError(message: string, cause: unknown): FerryError {
  return new FerryError("internal", message, undefined, { cause });
}

/**
 * True for a FerryError whose kind and message can be read as strings. Never throws: a
 * hostile Proxy or a throwing `kind` getter is simply not one.
 */
export function isSoundFerryError(err: unknown): err is FerryError {
  try {
    return err instanceof FerryError && typeof err.kind === "string" && typeof err.message === "string";
  } catch {
    return false;
  }
}

/** `err` if it is a sound FerryError, else an `internal` error saying `what`, with `err` as its cause. Never throws. */
export function ferryErrorOr(err: unknown, what: string): FerryError {
  return isSoundFerryError(err) ? err : internalError(what, err);
}

/** Normalises anything thrown into a FerryError (see the module comment). Never throws. */
export function fromUnknown(err: unknown): FerryError {
  try {
    if (isSoundFerryError(err)) return err;
    if (err instanceof FerryError) return internalError("a FerryError whose kind or message cannot be read", err);
    if (err instanceof Error) {
      if (err.name === "AbortError") return new FerryError("cancelled", "the call was cancelled", undefined, { cause: err });
      const message = err.message;
      return internalError(typeof message === "string" ? message : "an Error without a message", err);
    }
    return new ThrownValue(err, thrownMessage(err));
  } catch (unreadable) {
    // A Proxy whose traps throw, a throwing `name` or `message` getter …
    return internalError(`the thrown value could not be read: ${describeThrow(unreadable)}`, err);
  }
}

/** A short, safe description of any thrown value, for logs and dev messages. Never throws. */
export function describeThrow(value: unknown): string {
  try {
    if (value instanceof Error && typeof value.message === "string") return value.message;
    if (typeof value === "string") return value;
  } catch {
    // fall through
  }
  return `a thrown ${value === null ? "null" : typeof value}`;
}

const REDACTED: WireError = { kind: "internal", message: "internal error (details are in the backend log)" };

/**
 * The shape sent to the page. Outside dev mode an `internal` error says only that it
 * happened (the full error goes to the log); in dev mode its message and stack are sent.
 * Never throws: an error that cannot be shaped is sent as a redacted `internal`.
 */
export function shapeError(err: FerryError, dev: boolean): WireError {
  try {
    if (typeof err.kind !== "string" || typeof err.message !== "string") return REDACTED;
    if (err.kind !== "internal") return err.toJSON();
    if (!dev) return REDACTED;
    const cause = err.cause instanceof Error ? err.cause : err;
    const stack = cause.stack;
    return { kind: "internal", message: err.message, data: { stack: typeof stack === "string" ? stack : undefined } };
  } catch {
    return REDACTED;
  }
}

/** The redacted `internal` error, already encoded, for when nothing else can be sent. */
export const REDACTED_JSON = JSON.stringify(REDACTED);
