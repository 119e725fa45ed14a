/**
 * Uploads: a page's `ReadableStream`, `Blob` or `File` argument, read by the handler as an
 * async iterable of byte chunks (docs/flow-control.md).
 *
 * The argument crosses as `"__STREAM__:<id>"`. The backend grants the page credit in bytes
 * (`{"t":"g"}`); the page sends chunks (`{"t":"s"}` heads with one binary segment each)
 * within it, and the backend grants again as the handler takes chunks. So an upload holds
 * at most `maxBufferedBytes` in the backend however slow the handler is, and the page holds
 * at most one chunk its stream gave it beyond what is in flight.
 */

import { Readable } from "node:stream";
import { FerryError } from "../protocol/errors.ts";
import type { StreamMessage } from "../protocol/messages.ts";
import { bindRefs } from "./channel.ts";
import { CloseCode, type Connection, type PendingCall } from "./connection.ts";

const STREAM_REF = /^__STREAM__:(\d{1,15})$/;

/**
 * What a handler gets for a page's `ReadableStream`, `Blob` or `File` argument: the page's
 * bytes as `Uint8Array` chunks, in order, read once.
 *
 * Iterating ends when the page's stream is done; it throws `cancelled` when the page aborts
 * the call (or its window goes away), `payload_too_large` past `limits.uploadBytes`, and
 * `cancelled` when the page's stream itself failed. Stopping early (`break`) tells the page
 * to stop sending. The page sends only as chunks are taken, so a slow handler holds the
 * page back rather than growing the backend's memory.
 *
 * @example
 * export const save = async ({ file }: { file: ByteStream }) => {
 *   let size = 0;
 *   for await (const chunk of file) size += chunk.byteLength;
 *   return size;
 * };
 */
export class ByteStream implements AsyncIterable<Uint8Array> {
  /** The upload's id on its connection. */
  readonly id: number;
  readonly #conn: Connection;
  readonly #window: number;
  readonly #max: number;
  #chunks: Uint8Array[] = [];
  #head = 0;
  #buffered = 0;
  #peak = 0;
  /** Bytes the page may still send. */
  #credit = 0;
  /** Bytes taken by the handler since the last grant. */
  #taken = 0;
  #received = 0;
  #done = false;
  #error: FerryError | undefined;
  #iterating = false;
  #wake: (() => void) | undefined;

  /** @internal Made by ferry from a page's argument. */
  constructor(conn: Connection, id: number, window: number, max: number) {
    this.#conn = conn;
    this.id = id;
    this.#window = window;
    this.#max = max;
    this.#grant(window);
  }

  /** Bytes received from the page and not yet taken by the handler (at most `maxBufferedBytes`). */
  get buffered(): number {
    return this.#buffered;
  }

  /** The most `buffered` has been during this upload. */
  get peakBuffered(): number {
    return this.#peak;
  }

  /** Bytes received from the page so far. */
  get received(): number {
    return this.#received;
  }

  #grant(n: number): void {
    this.#credit += n;
    this.#conn.enqueue(`{"t":"g","s":${this.id},"n":${n}}`);
  }

  /** @internal One message of this upload from the page. */
  push(msg: StreamMessage): void {
    if (this.#done) return; // sent before the page saw our stop
    if (msg.d) {
      const n = msg.d.byteLength;
      if (n > this.#credit) {
        this.#conn.close(CloseCode.tooBig, `upload ${this.id}: ${n} bytes sent with ${this.#credit} of credit`);
        return;
      }
      this.#credit -= n;
      this.#received += n;
      if (this.#received > this.#max) {
        this.fail(
          new FerryError("payload_too_large", `upload ${this.id} is larger than limits.uploadBytes (${this.#max} bytes)`, {
            limit: "uploadBytes",
            max: this.#max,
          }),
        );
        return;
      }
      if (n > 0) {
        this.#chunks.push(msg.d);
        this.#buffered += n;
        if (this.#buffered > this.#peak) this.#peak = this.#buffered;
      }
    }
    if (msg.err !== undefined) return this.fail(new FerryError("cancelled", `the page's stream failed: ${msg.err.slice(0, 200)}`));
    if (msg.end) this.#finish();
    this.#wake?.();
  }

  /** @internal Ends the upload with `err` for the handler; tells the page to stop. */
  fail(err: FerryError): void {
    if (this.#done) return;
    this.#error = err;
    this.#chunks = [];
    this.#head = this.#buffered = 0;
    this.#stop();
    this.#wake?.();
  }

  #finish(): void {
    this.#done = true;
    this.#conn.releaseUpload(this);
  }

  #stop(): void {
    this.#finish();
    this.#conn.enqueue(`{"t":"k","s":${this.id}}`);
  }

  /** Reads the chunks in order; an upload can be read once. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.#iterating) throw new FerryError("invalid_args", `upload ${this.id} is already being read`);
    this.#iterating = true;
    try {
      for (;;) {
        if (this.#error) throw this.#error;
        if (this.#head < this.#chunks.length) {
          const chunk = this.#chunks[this.#head]!;
          this.#chunks[this.#head++] = undefined as unknown as Uint8Array;
          if (this.#head === this.#chunks.length) this.#chunks = [];
          if (this.#chunks.length === 0) this.#head = 0;
          this.#buffered -= chunk.byteLength;
          this.#taken += chunk.byteLength;
          // Credit goes back in halves of the window: few grants, and the page is never starved.
          if (!this.#done && this.#taken * 2 >= this.#window) {
            this.#grant(this.#taken);
            this.#taken = 0;
          }
          yield chunk;
          continue;
        }
        if (this.#done) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
      }
    } finally {
      // Stopped early (break, a throw in the loop): the page stops sending.
      if (!this.#done) this.#stop();
    }
  }

  /** The upload as a Node `Readable` (for `pipeline`, `fs.createWriteStream`, …). */
  readable(): Readable {
    return Readable.from(this, { objectMode: false });
  }
}

/**
 * Replaces top-level `"__STREAM__:<id>"` arguments with `ByteStream`s bound to `call`.
 * Refuses an id already in use (`invalid_args`) and more than `limits.uploads` open uploads
 * on the connection (`limit_exceeded`).
 */
export function bindUploads(conn: Connection, cmd: string, args: Record<string, unknown>, call: PendingCall): Record<string, unknown> {
  return bindRefs(args, STREAM_REF, (id, key) => conn.bindUpload(id, call, cmd, key));
}
