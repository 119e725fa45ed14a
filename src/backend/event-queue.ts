/**
 * A connection's queued text events, outside the JS heap: their UTF-8 bytes in one buffer,
 * and per event its size and handler ids in a number queue. Queueing, dropping the oldest
 * and taking a run for the socket allocate no object per event.
 *
 * Why: a window that does not read holds the newest `maxBufferedBytes` of events while every
 * older one is dropped. Held as strings, each event outlived a few young collections and was
 * promoted, so a stalled window turned its whole event stream into old-space garbage, and the
 * heap grew by several times its live size between full collections (see docs/flow-control.md).
 */

import { Buffer } from "node:buffer";

/** Smallest text buffer, and the largest one kept while the queue is empty. */
const MIN_TEXT = 64 * 1024;
const KEEP_TEXT = 1024 * 1024;
const MIN_META = 1024;

/** One event as every connection that hears it writes it: `head`, its handler ids, `],"p":`, `json`, `}`. */
export interface EventText {
  /** `{"t":"e","n":<name>,"h":[` */
  head: string;
  /** The payload's JSON. */
  json: string;
  /** UTF-8 bytes of `head` plus `json`. */
  bytes: number;
}

/** Bytes of an event frame besides its head, ids and payload: `],"p":`, `}` and the comma after it. */
const FRAMING = 8;

/** The ids of one event, as they go in its frame: `1` or `1,2`. */
function idsText(ids: readonly number[]): string {
  return ids.length === 1 ? String(ids[0]) : ids.join(",");
}

export class EventQueue {
  /** Queued events' frames, each followed by a comma, from `start` to `end`. */
  private text: Buffer | undefined;
  private start = 0;
  private end = 0;
  /** Per event: its bytes (with the comma), its number of ids, the ids. From `mStart` to `mEnd`. */
  private meta: Float64Array | undefined;
  private mStart = 0;
  private mEnd = 0;
  /** Events queued. */
  size = 0;
  private readonly maxText: number;

  /** `bound`: the most bytes the connection queues (the buffer may grow to 1.25 times it). */
  constructor(bound: number) {
    this.maxText = Math.max(MIN_TEXT, Math.ceil(bound * 1.25));
  }

  /** Bytes `push` would queue for `ids` (the frame and its comma). */
  sizeOf(event: EventText, ids: readonly number[]): number {
    return event.bytes + idsText(ids).length + FRAMING;
  }

  /** Queues one event of `bytes` (from `sizeOf`) for `ids`. */
  push(event: EventText, ids: readonly number[], bytes: number): void {
    const text = this.roomFor(bytes);
    let at = this.end;
    at += text.write(event.head, at, "utf8");
    at += text.write(idsText(ids), at, "latin1");
    at += text.write('],"p":', at, "latin1");
    at += text.write(event.json, at, "utf8");
    text[at++] = 0x7d; // "}"
    text[at++] = 0x2c; // ","
    this.end = at;
    const meta = this.metaRoomFor(2 + ids.length);
    let m = this.mEnd;
    meta[m++] = bytes;
    meta[m++] = ids.length;
    for (const id of ids) meta[m++] = id;
    this.mEnd = m;
    this.size++;
  }

  /** Bytes of the oldest event (0 when empty). */
  oldestBytes(): number {
    return this.size === 0 ? 0 : this.meta![this.mStart]!;
  }

  /** Drops the oldest event, calling `lost` with each of its ids; returns its bytes. */
  dropOldest(lost: (id: number) => void): number {
    const meta = this.meta!;
    const bytes = meta[this.mStart]!;
    const n = meta[this.mStart + 1]!;
    for (let i = 0; i < n; i++) lost(meta[this.mStart + 2 + i]!);
    this.skip(bytes, n);
    return bytes;
  }

  /**
   * The oldest `count` events as the text of their messages joined by commas (no brackets),
   * removed from the queue.
   */
  take(count: number, bytes: number): string {
    const s = this.text!.toString("utf8", this.start, this.start + bytes - 1);
    for (let i = 0; i < count; i++) this.skip(this.meta![this.mStart]!, this.meta![this.mStart + 1]!);
    return s;
  }

  /** Set by `measure`: the bytes of the events it counted. */
  measured = 0;

  /**
   * How many of the oldest `max` events fit in `budget` bytes (their bytes go to `measured`);
   * the oldest one always counts when `atLeastOne`.
   */
  measure(max: number, budget: number, atLeastOne: boolean): number {
    const meta = this.meta!;
    let n = 0;
    let bytes = 0;
    for (let m = this.mStart; n < max; n++) {
      const b = meta[m]!;
      if (bytes + b > budget && !(atLeastOne && n === 0)) break;
      bytes += b;
      m += 2 + meta[m + 1]!;
    }
    this.measured = bytes;
    return n;
  }

  /** Empties the queue (the connection is gone). */
  clear(): void {
    this.text = this.meta = undefined;
    this.start = this.end = this.mStart = this.mEnd = this.size = 0;
  }

  private skip(bytes: number, ids: number): void {
    this.start += bytes;
    this.mStart += 2 + ids;
    if (--this.size > 0) return;
    this.start = this.end = this.mStart = this.mEnd = 0;
    // A window that was slow once does not keep its large buffer.
    if (this.text!.length > KEEP_TEXT) this.text = undefined;
    if (this.meta!.length > KEEP_TEXT / 8) this.meta = undefined;
  }

  /** The text buffer with `bytes` free at `end`: compacted or grown as needed. */
  private roomFor(bytes: number): Buffer {
    let text = this.text;
    if (text && this.end + bytes <= text.length) return text;
    const live = this.end - this.start;
    const need = live + bytes;
    if (!text || (need > text.length * 0.75 && text.length < this.maxText)) {
      const grown = Buffer.allocUnsafeSlow(Math.max(need, Math.min(this.maxText, Math.max(MIN_TEXT, 2 * (text?.length ?? 0)))));
      text?.copy(grown, 0, this.start, this.end);
      this.text = text = grown;
    } else if (need > text.length) {
      // Over the most this queue grows to: an event larger than the room left (it fits the bound).
      const grown = Buffer.allocUnsafeSlow(need);
      text.copy(grown, 0, this.start, this.end);
      this.text = text = grown;
    } else text.copy(text, 0, this.start, this.end);
    this.start = 0;
    this.end = live;
    return text;
  }

  private metaRoomFor(n: number): Float64Array {
    let meta = this.meta;
    if (meta && this.mEnd + n <= meta.length) return meta;
    const live = this.mEnd - this.mStart;
    if (!meta || live + n > meta.length / 2) {
      const grown = new Float64Array(Math.max(MIN_META, 2 * (live + n), meta?.length ?? 0));
      if (meta) grown.set(meta.subarray(this.mStart, this.mEnd));
      this.meta = meta = grown;
    } else meta.copyWithin(0, this.mStart, this.mEnd);
    this.mStart = 0;
    this.mEnd = live;
    return meta;
  }
}
