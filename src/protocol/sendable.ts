/**
 * The stricter half of the tutorial's fourth gotcha (docs/types.md, "What arrives"). The
 * shared codec already refuses what JSON would drop or mangle loudly (BigInt, Map, Set,
 * functions, cycles …); this check also refuses the two values JSON changes without a word.
 * The backend runs it on everything it sends; a page runs it on its own arguments and
 * payloads in dev mode (`ferry/client/dev`), as the ≤ 5 KB client has no room for it:
 * - `undefined` in an array (JSON writes `null`, so the page cannot tell it from a real `null`);
 * - a class instance without `toJSON` (JSON sends its own fields as a plain object: its
 *   methods, getters and class are gone).
 * Bytes, arrays, plain and null-prototype objects, and objects with `toJSON` pass as before.
 */

import { encodeValue, formatPath, type EncodedValue, type ValuePath } from "./codec.ts";
import { FerryError } from "./errors.ts";

const plainProto = Object.prototype;

const isBytes = (v: object): boolean => ArrayBuffer.isView(v) || v instanceof ArrayBuffer;

function refuse(root: string, path: ValuePath, type: string, why: string): FerryError {
  const at = formatPath(root, path);
  return new FerryError("not_serializable", `${at}: ${why}`, { path: at, type });
}

/** Walks objects only; cycles are left to the codec (it names them), so a `seen` set just stops the walk. */
function check(root: string, path: ValuePath, v: unknown, seen: Set<object>): void {
  if (typeof v !== "object" || v === null || isBytes(v) || seen.has(v)) return;
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return; // the codec walks what it returns
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      if (v[i] === undefined)
        throw refuse(root, path, "undefined", "undefined in an array cannot be sent (JSON would turn it into null): use null");
      check(root, path, v[i], seen);
      path.pop();
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== plainProto && proto !== null) {
      const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
      const type = typeof name === "string" && name !== "" ? name : "class instance";
      // Map, Set … are named by the codec with its own advice.
      if (!(
        v instanceof Map ||
        v instanceof Set ||
        v instanceof WeakMap ||
        v instanceof WeakSet ||
        v instanceof Promise ||
        v instanceof RegExp ||
        v instanceof Error
      )) {
        throw refuse(
          root,
          path,
          type,
          `an instance of ${type} without toJSON() cannot be sent (JSON would drop its class and methods): send a plain object or give the class a toJSON()`,
        );
      }
    }
    for (const key of Object.keys(v)) {
      path.push(key);
      check(root, path, (v as Record<string, unknown>)[key], seen);
      path.pop();
    }
  }
  seen.delete(v);
}

/**
 * Throws `not_serializable`, naming the path, when `value` holds `undefined` in an array or
 * a class instance without `toJSON`. `root` names the value (`result`, `payload`, `message`).
 */
export function assertSendable(value: unknown, root: string): void {
  if (typeof value === "object" && value !== null) check(root, [], value, new Set());
}

/**
 * Whether `v` is a plain object or an array holding only strings, finite numbers, booleans
 * and null (and, in an object, `undefined`, which JSON leaves out): one that neither this
 * check nor the codec can refuse, with no bytes to lift. Event payloads and channel messages
 * mostly are.
 */
function isFlat(v: object): boolean {
  // JSON sends what toJSON returns, enumerable or not, on an array too: the walks check that.
  if (typeof (v as { toJSON?: unknown }).toJSON === "function") return false;
  if (Array.isArray(v)) {
    // By index: a hole reads as undefined, which the check refuses.
    for (let i = 0; i < v.length; i++) if (!isScalar(v[i])) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== plainProto && proto !== null) return false;
  for (const key in v) {
    const x = (v as Record<string, unknown>)[key];
    if (x !== undefined && !isScalar(x)) return false;
  }
  return true;
}

const isScalar = (x: unknown): boolean =>
  typeof x === "string" || typeof x === "boolean" || x === null || (typeof x === "number" && Number.isFinite(x));

/**
 * `assertSendable` then the codec's `encodeValue`, as the backend sends every value; a flat
 * value (above) goes straight to `JSON.stringify`, as neither walk would find anything in it.
 */
export function encodeSendable(value: unknown, root: string): EncodedValue {
  if (typeof value === "object" && value !== null && isFlat(value)) return { json: JSON.stringify(value), bytes: [] };
  assertSendable(value, root);
  return encodeValue(value, root);
}
