/**
 * What `ferry/client/upload` streams: a top-level `invoke` argument that is a
 * `ReadableStream`, `Blob` or `File`. Shared by the upload module and the dev checks, which
 * leave such arguments to it.
 */

/** True for a value `ferry/client/upload` sends as an upload. */
export const isUpload = (v: unknown): v is ReadableStream | Blob =>
  (typeof ReadableStream !== "undefined" && v instanceof ReadableStream) || (typeof Blob !== "undefined" && v instanceof Blob);
