/**
 * Uploads: a page's `ReadableStream`, `Blob` or `File` argument, read by the handler as an
 * async iterable of byte chunks (docs/flow-control.md).
 *
 * The argument crosses as `"__STREAM__:<id>"`. The backend grants the page credit in bytes
 * (`{"t":"g"}`); the page sends chunks (`{"t":"s"}` heads with one binary segment each)
 * within it, and the backend grants again as the handler takes chunks. Every upload of a
 * connection draws its credit from one pool of `maxBufferedBytes` (`UploadPool`), so a
 * connection's uploads together hold at most that in the backend however slow the handlers
 * are, and the page holds at most one chunk its stream gave it beyond what is in flight.
 */

import { Readable } from "node:stream";
import { FerryError } from "../protocol/errors.ts";
import type { StreamMessage } from "../protocol/messages.ts";
import { bindRefs } from "./channel.ts";
import { CloseCode, type Connection, type PendingCall } from "./connection.ts";

const STREAM_REF = /^__STREAM__:(\d{1,15})$/;

/**
 * The credit one connection's uploads share: bytes granted to the page and not yet sent,
 * plus bytes received and not yet taken by a handler, summed over its uploads, never more
 * than `size`. An upload that finds the pool short waits in `hungry`, first come first served.
 */
class UploadPool {
  readonly size: number;
  /** Credit not held by any upload. */
  free: number;
  /** Bytes received and not yet taken, over the connection's uploads. */
  buffered = 0;
  peak = 0;
  readonly hungry = new Set<ByteStream>();
  /** Uploads open on the connection: each may hold up to `size / open`. */
  open = 0;

  constructor(size: number) {
    this.size = this.free = size;
  }

  /** Gives `n` bytes back and lets the uploads waiting for credit take it, in order. */
  give(n: number, refill: (s: ByteStream) => boolean): void {
    this.free += n;
    for (const s of this.hungry) {
      if (!refill(s)) break;
      this.hungry.delete(s);
    }
  }
}

const pools = new WeakMap<Connection, UploadPool>();

/** The connection's upload pool of `size` bytes, made on its first upload. */
function poolOf(conn: Connection, size: number): UploadPool {
  let pool = pools.get(conn);
  if (!pool) pools.set(conn, (pool = new UploadPool(size)));
  return pool;
}

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
  readonly #pool: UploadPool;
  readonly #max: number;
  #chunks: Uint8Array[] = [];
  #head = 0;
  #buffered = 0;
  #peak = 0;
  /** Bytes the page may still send. */
  #credit = 0;
  #received = 0;
  #done = false;
  #error: FerryError | undefined;
  #iterating = false;
  #wake: (() => void) | undefined;

  /**
   * @internal Made by ferry from a page's argument. `window` is the pool every upload of
   * `conn` shares; this one is granted credit from it once the handler starts reading.
   */
  constructor(conn: Connection, id: number, window: number, max: number) {
    this.#conn = conn;
    this.id = id;
    this.#pool = poolOf(conn, window);
    this.#pool.open++;
    this.#max = max;
  }

  /** Bytes received from the page and not yet taken by the handler. */
  get buffered(): number {
    return this.#buffered;
  }

  /**
   * `buffered` summed over every upload of this connection: at most `maxBufferedBytes`, which
   * its uploads share. `peak` is the most it has been on this connection.
   */
  get connectionBuffered(): { now: number; peak: number } {
    return { now: this.#pool.buffered, peak: this.#pool.peak };
  }

  /** The most `buffered` has been during this upload. */
  get peakBuffered(): number {
    return this.#peak;
  }

  /** Bytes received from the page so far. */
  get received(): number {
    return this.#received;
  }

  /**
   * Tops this upload's credit up to its share of the pool (the pool over the uploads open on
   * the connection), in steps of at least half the share: few grants, and the page is never
   * starved. False when the pool is short: the upload waits for another to give credit back.
   */
  readonly #refill = (): boolean => {
    if (this.#done) return true;
    const pool = this.#pool;
    const share = Math.floor(pool.size / pool.open);
    const held = this.#credit + this.#buffered;
    const want = share - held;
    if (want * 2 < share) return true;
    const n = Math.min(want, pool.free);
    if (n === 0 || (held > 0 && n * 2 < share)) {
      pool.hungry.add(this);
      return false;
    }
    pool.hungry.delete(this);
    pool.free -= n;
    this.#credit += n;
    this.#conn.enqueue(`{"t":"g","s":${this.id},"n":${n}}`);
    return true;
  };

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
        const pool = this.#pool;
        pool.buffered += n;
        if (pool.buffered > pool.peak) pool.peak = pool.buffered;
      }
    }
    if (msg.err !== undefined) return this.fail(new FerryError("cancelled", `the page's stream failed: ${msg.err.slice(0, 200)}`));
    if (msg.end) this.#finish();
    this.#wake?.();
  }

  /**
   * @internal Ends the upload with `err` for the handler, drops what it has not taken, tells
   * the page to stop (if it has not ended) and frees the id. Also how a settled call's
   * uploads let go of their bytes.
   */
  fail(err: FerryError): void {
    if (this.#error) return;
    this.#error = err;
    this.#chunks = [];
    this.#pool.buffered -= this.#buffered;
    const held = this.#buffered;
    this.#head = this.#buffered = 0;
    if (!this.#done) this.#stop();
    this.#give(held);
    this.#conn.releaseUpload(this);
    this.#wake?.();
  }

  /** Gives `n` bytes this upload held back to the pool, for the uploads waiting on it. */
  #give(n: number): void {
    if (n > 0 || this.#pool.hungry.size > 0) this.#pool.give(n, (s) => s.#refill());
  }

  #finish(): void {
    this.#done = true;
    const pool = this.#pool;
    pool.open--;
    pool.hungry.delete(this);
    // Credit the page has not used goes back: what it still sends is dropped (the upload is done).
    const unused = this.#credit;
    this.#credit = 0;
    this.#give(unused);
  }

  #stop(): void {
    this.#finish();
    this.#conn.enqueue(`{"t":"k","s":${this.id}}`);
  }

  /** Reads the chunks in order; an upload can be read once. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.#iterating) throw new FerryError("invalid_args", `upload ${this.id} is already being read`);
    this.#iterating = true;
    this.#refill();
    try {
      for (;;) {
        if (this.#error) throw this.#error;
        if (this.#head < this.#chunks.length) {
          const chunk = this.#chunks[this.#head]!;
          this.#chunks[this.#head++] = undefined as unknown as Uint8Array;
          if (this.#head === this.#chunks.length) this.#chunks = [];
          if (this.#chunks.length === 0) this.#head = 0;
          this.#buffered -= chunk.byteLength;
          this.#pool.buffered -= chunk.byteLength;
          // Back to the pool, where an upload waiting for credit gets it first; then this one's own.
          this.#give(chunk.byteLength);
          this.#refill();
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
