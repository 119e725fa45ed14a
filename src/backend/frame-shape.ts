/**
 * The backend's check of an incoming text frame's shape before it is parsed: JSON.parse
 * builds everything at once, so a frame's nesting, containers and batch size are counted
 * first, in one linear pass. Lives here, not in the shared codec: the page has no use for it
 * and the browser client's size is budgeted.
 */

import { FerryError } from "../protocol/errors.ts";
import { tooMuch } from "../protocol/codec.ts";

/** Bounds on a text frame's JSON, checked before it is parsed. */
export interface TextShapeLimits {
  /** Deepest nesting of arrays and objects. */
  maxDepth: number;
  /** Arrays and objects in the whole frame. */
  maxContainers: number;
  /** Messages a top-level array (a batch) may hold. */
  maxBatch: number;
}

/** Frames shorter than this cannot hold enough to matter and are not scanned. */
export const SCAN_FROM = 4096;

/**
 * One linear pass over a frame's JSON text that counts nesting depth, containers and a
 * top-level batch's elements, skipping strings; throws `tooMuch` (`payload_too_large`) for depth and
 * containers (the connection closes, 1009) and a `protocol` FerryError for a batch, before
 * `JSON.parse` builds anything. Malformed JSON is left to the parser.
 */
export function checkTextShape(text: string, limits: TextShapeLimits): void {
  let depth = 0;
  let containers = 0;
  let batch = text.charCodeAt(0) === 0x5b /* [ */ ? 1 : 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b /* [ { */) {
      if (++depth > limits.maxDepth) throw tooMuch(`a frame may nest at most ${limits.maxDepth} levels`);
      if (++containers > limits.maxContainers) throw tooMuch(`a frame may hold at most ${limits.maxContainers} arrays and objects`);
    } else if (c === 0x5d || c === 0x7d /* ] } */) depth--;
    else if (c === 0x2c /* , */ && depth === 1 && batch > 0 && ++batch > limits.maxBatch) {
      // The same refusal as a small oversized batch gets after parsing: a protocol error.
      throw new FerryError("protocol", `a frame may batch at most ${limits.maxBatch} messages`);
    }
  }
}
