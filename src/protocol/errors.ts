/**
 * The one error shape of ferry, shared by backend and client.
 *
 * On the wire an error is `{ kind, message, data? }`. Framework kinds form a closed set
 * (`FrameworkErrorKind`, documented in docs/errors.md); apps add their own kinds by
 * throwing `new FerryError("not_found", "…")`.
 */

/**
 * Kinds that ferry itself produces. Apps may use any other string as their own kind.
 * `failed` is a handler that threw a value that is not an `Error` (Tauri's `Err(e)`): the
 * value is its `data`, sent as is, since the handler chose it for the page. `unsupported` is
 * a call into a part of Tauri ferry does not have (menu, tray, image …).
 */
export const FRAMEWORK_ERROR_KINDS = [
  "command_not_found",
  "invalid_args",
  "permission_denied",
  "not_serializable",
  "cancelled",
  "timeout",
  "connection_closed",
  "payload_too_large",
  "limit_exceeded",
  "invalid_event",
  "protocol",
  "internal",
  "failed",
  "unsupported",
] as const;

/** One of `FRAMEWORK_ERROR_KINDS`: an error kind ferry itself produces. */
export type FrameworkErrorKind = (typeof FRAMEWORK_ERROR_KINDS)[number];

/** A kind: one of the framework's, or an app's own (autocomplete keeps the framework's). */
export type ErrorKind = FrameworkErrorKind | (string & {});

/** The serialized form of an error, exactly what crosses the wire. */
export interface WireError {
  kind: ErrorKind;
  message: string;
  data?: unknown;
}

/**
 * The error class on both sides: handlers throw it, `invoke` rejects with it.
 *
 * @example
 * throw new FerryError("not_found", `no file at ${path}`, { path });
 * // page: catch (e) { if (e instanceof FerryError && e.kind === "not_found") … }
 */
export class FerryError<K extends ErrorKind = ErrorKind, D = unknown> extends Error {
  override name = "FerryError";
  readonly kind: K;
  /** Details for the page: the command's own (typed by `defineErrors`), or the framework's (docs/errors.md). */
  readonly data: D;

  constructor(kind: K, message: string, data?: D, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.data = data as D;
  }

  /** The wire shape of this error (no stack, no cause). */
  toJSON(): WireError {
    return this.data === undefined
      ? { kind: this.kind, message: this.message }
      : { kind: this.kind, message: this.message, data: this.data };
  }

  /** Rebuilds a real error from its wire shape. */
  static fromWire(shape: WireError): FerryError {
    return new FerryError(shape.kind, shape.message, shape.data);
  }
}

/** True when `value` has the `{ kind: string, message: string }` shape of a wire error. */
export function isWireError(value: unknown): value is WireError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.kind === "string" && typeof v.message === "string";
}
