/**
 * Value and frame encoding, shared by backend and client.
 *
 * A value is checked once for what JSON would silently lose (BigInt, functions, Map, NaN,
 * cycles …) and its bytes are lifted out, so `Uint8Array`/`ArrayBuffer` travel as bytes,
 * never as base64 or number arrays.
 *
 * Frames (WebSocket messages):
 * - text: one message object, or an array of messages coalesced within a tick;
 * - a message that carries bytes goes alone as a text message whose `$b` lists
 *   `[path, length]` for each byte segment, followed by one binary message per segment, in
 *   order. No side ever reassembles or copies the bytes: a 10 MiB result is one 10 MiB
 *   binary message written straight from the handler's buffer.
 */

import { FerryError } from "./errors.ts";

/** A path from a message's root to a value inside it. */
export type ValuePath = (string | number)[];

/** A value ready for the wire: its JSON (bytes replaced by `null`) and the lifted bytes. */
export interface EncodedValue {
  json: string;
  bytes: ByteRef[];
}

export interface ByteRef {
  path: ValuePath;
  data: Uint8Array;
}

/** A message with bytes: its text head (with `$b`), then one binary message per segment. */
export interface BinaryFrame {
  head: string;
  segments: Uint8Array[];
}

/** An outgoing frame: a text message, or a message with byte segments. */
export type Frame = string | BinaryFrame;

const plainProto = Object.prototype;

/** True for the byte containers ferry sends as bytes. */
export function isBytes(value: unknown): value is Uint8Array | ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function toUint8(value: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** Formats a path the way a developer writes it: `result.items[3]`, `args["a b"]`. */
export function formatPath(root: string, path: ValuePath): string {
  let out = root;
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

function describe(value: unknown): string | undefined {
  switch (typeof value) {
    case "bigint":
      return "BigInt";
    case "function":
      return "function";
    case "symbol":
      return "Symbol";
    case "number":
      return Number.isFinite(value) ? undefined : String(value);
    case "object": {
      if (value === null) return undefined;
      const proto = Object.getPrototypeOf(value);
      if (proto === plainProto || proto === null || Array.isArray(value)) return undefined;
      if (typeof (value as { toJSON?: unknown }).toJSON === "function") return undefined;
      // JSON turns these into `{}` without a word: the gotcha this check exists for.
      if (value instanceof Map) return "Map";
      if (value instanceof Set) return "Set";
      if (value instanceof WeakMap || value instanceof WeakSet) return "WeakMap/WeakSet";
      if (value instanceof Promise) return "Promise (forgot an await?)";
      if (value instanceof RegExp) return "RegExp";
      if (value instanceof Error) return "Error (throw it instead)";
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The state of one `encodeValue` walk. */
interface Walk {
  root: string;
  path: ValuePath;
  /**
   * The containers on the way to the current value (a cycle comes back to one of them). A
   * stack, not a Set: no hash table per call, and the walk is only as deep as the value.
   */
  seen: object[];
  bytes: ByteRef[];
}

function notSerializable(w: Walk, type: string, why: string): FerryError {
  const path = formatPath(w.root, w.path);
  return new FerryError("not_serializable", `${path}: ${why}`, { path, type });
}

// A module-level function rather than a closure per call: under tsx (how ferry runs) every
// closure made per call also pays esbuild's keep-names helper (docs/profile.md).
function walk(w: Walk, v: unknown): void {
  if (v === null || typeof v === "string" || typeof v === "boolean") return;
  const bad = describe(v);
  if (bad !== undefined) throw notSerializable(w, bad, `${bad} cannot be sent`);
  if (typeof v !== "object") return;
  if (isBytes(v)) {
    w.bytes.push({ path: w.path.slice(), data: toUint8(v) });
    return;
  }
  if (w.seen.includes(v)) throw notSerializable(w, "circular", "circular reference");
  const json = (v as { toJSON?: () => unknown }).toJSON;
  if (typeof json === "function") {
    w.seen.push(v);
    walk(w, json.call(v));
    w.seen.pop();
    return;
  }
  w.seen.push(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      w.path.push(i);
      const item = v[i];
      // JSON writes `undefined` in an array as null; a function there is still an error.
      if (item !== undefined) walk(w, item);
      w.path.pop();
    }
  } else {
    for (const key of Object.keys(v)) {
      const item = (v as Record<string, unknown>)[key];
      if (item === undefined) continue;
      w.path.push(key);
      walk(w, item);
      w.path.pop();
    }
  }
  w.seen.pop();
}

function bytesToNull(this: Record<string, unknown>, key: string, v: unknown): unknown {
  return isBytes(this[key]) ? null : v;
}

type Container = Record<string | number, unknown>;

/**
 * `value` with its bytes replaced by `null`, copying only the containers on the way to them
 * (the rest is shared). JSON.stringify calls `toJSON` before any replacer, and a Buffer's
 * `toJSON` turns every byte into a number: 250 ms for 10 MiB. Undefined when a path passes
 * through an object with its own `toJSON` (the walk followed what it returned).
 */
function nullBytes(value: unknown, bytes: ByteRef[]): unknown {
  const copies = new Map<object, Container>();
  const copyOf = (v: object): Container => {
    let c = copies.get(v);
    if (!c) copies.set(v, (c = (Array.isArray(v) ? v.slice() : { ...(v as Container) }) as Container));
    return c;
  };
  if (typeof value !== "object" || value === null || isBytes(value)) return null;
  const root = copyOf(value);
  for (const { path } of bytes) {
    let original: unknown = value;
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      original = (original as Container)[path[i]!];
      if (typeof (original as { toJSON?: unknown }).toJSON === "function") return undefined;
      const next = copyOf(original as object);
      node[path[i]!] = next;
      node = next;
    }
    node[path[path.length - 1]!] = null;
  }
  return root;
}

/**
 * Checks that `value` survives JSON unchanged and lifts out its bytes.
 * Throws `not_serializable` naming the path of the first offending value.
 */
export function encodeValue(value: unknown, root: string): EncodedValue {
  if (value === undefined) return { json: "null", bytes: [] };
  // Strings, booleans, null and finite numbers: nothing to check or lift.
  if (typeof value === "string" || typeof value === "boolean" || value === null || (typeof value === "number" && Number.isFinite(value))) {
    return { json: JSON.stringify(value), bytes: [] };
  }
  const w: Walk = { root, path: [], seen: [], bytes: [] };
  walk(w, value);
  if (w.bytes.length === 0) return { json: JSON.stringify(value), bytes: w.bytes };
  const nulled = typeof (value as { toJSON?: unknown }).toJSON === "function" && !isBytes(value) ? undefined : nullBytes(value, w.bytes);
  return { json: nulled === undefined ? JSON.stringify(value, bytesToNull) : JSON.stringify(nulled), bytes: w.bytes };
}

/**
 * Builds a frame for one message whose JSON text is `head` plus, when `value` is given,
 * `,"<field>":<value>` and the closing brace. `head` starts with `{` and has no closing brace.
 */
export function frameMessage(head: string, field?: string, value?: EncodedValue): Frame {
  if (field === undefined || value === undefined) return `${head}}`;
  const text = `${head},"${field}":${value.json}`;
  if (value.bytes.length === 0) return `${text}}`;
  const refs = value.bytes.map((b) => [[field, ...b.path], b.data.byteLength]);
  return { head: `${text},"$b":${JSON.stringify(refs)}}`, segments: value.bytes.map((b) => b.data) };
}

/** The WebSocket messages of a frame, in order: text as strings, byte segments as bytes. */
export function framePieces(frame: Frame): (string | Uint8Array)[] {
  return typeof frame === "string" ? [frame] : [frame.head, ...frame.segments];
}

/**
 * A frame asks more than a reader takes (byte segments, bytes, nesting): a
 * `payload_too_large` error, on which the backend closes the connection (1009).
 */
export function tooMuch(why: string): FerryError {
  return new FerryError("payload_too_large", why);
}

/**
 * Sees what a message header announces (how many byte segments, how many bytes in all)
 * before any of them arrives, and throws to refuse it.
 */
export type AnnounceCheck = (segments: number, bytes: number) => void;

/**
 * The backend's `AnnounceCheck`: at most `maxSegments` byte segments adding up to at most
 * `maxBytes`, else `tooMuch` (`payload_too_large`). (A page trusts its backend and reads without one.)
 */
export function announceLimits(maxSegments: number, maxBytes: number): AnnounceCheck {
  return (segments, bytes) => {
    if (segments > maxSegments) throw tooMuch(`a message may carry at most ${maxSegments} byte segments`);
    if (bytes > maxBytes) throw tooMuch(`a message may carry at most ${maxBytes} bytes`);
  };
}

function malformed(why: string): FerryError {
  return new FerryError("protocol", `malformed frame: ${why}`);
}

interface Awaiting {
  msg: Record<string, unknown>;
  refs: [unknown[], number][];
  next: number;
}

/**
 * Reads one side's incoming WebSocket messages back into ferry messages. Stateful: a
 * message announcing byte segments completes when its binary messages have arrived.
 */
export class FrameReader {
  private awaiting: Awaiting | undefined;
  private readonly check: AnnounceCheck | undefined;

  /** `check` sees each header's announced byte segments before any arrives (`announceLimits`). */
  constructor(check?: AnnounceCheck) {
    this.check = check;
  }

  /** The messages completed by this WebSocket message (none while segments are due). */
  read(data: string | Uint8Array): unknown[] {
    if (typeof data !== "string") return this.segment(data);
    if (this.awaiting) {
      this.awaiting = undefined;
      throw malformed("text where byte segments were due");
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      throw malformed("not JSON");
    }
    if (Array.isArray(parsed)) return parsed;
    if (typeof parsed !== "object" || parsed === null || !Object.hasOwn(parsed, "$b")) return [parsed];
    const msg = parsed as Record<string, unknown>;
    const refs = msg.$b;
    delete msg.$b;
    if (!Array.isArray(refs)) throw malformed("bad $b list");
    this.check?.(refs.length, 0);
    let total = 0;
    for (const ref of refs) {
      if (!Array.isArray(ref) || ref.length !== 2 || !Array.isArray(ref[0]) || !Number.isSafeInteger(ref[1]) || ref[1] < 0) {
        throw malformed("bad $b entry");
      }
      total += ref[1] as number;
    }
    this.check?.(refs.length, total);
    if (refs.length === 0) return [msg];
    this.awaiting = { msg, refs: refs as [unknown[], number][], next: 0 };
    return [];
  }

  private segment(data: Uint8Array): unknown[] {
    const awaiting = this.awaiting;
    if (!awaiting) throw malformed("unannounced byte segment");
    const [path, length] = awaiting.refs[awaiting.next]!;
    if (data.byteLength !== length) {
      this.awaiting = undefined;
      throw malformed(`byte segment of ${data.byteLength} bytes, ${length} announced`);
    }
    try {
      // A plain Uint8Array view over the received message (never a Buffer, never a copy).
      setAt(awaiting.msg, path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (err) {
      this.awaiting = undefined;
      throw err;
    }
    if (++awaiting.next < awaiting.refs.length) return [];
    this.awaiting = undefined;
    return [awaiting.msg];
  }
}

function setAt(root: Record<string, unknown>, path: unknown[], value: Uint8Array): void {
  if (path.length === 0) throw malformed("empty byte path");
  let node: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    node = step(node, path[i]);
  }
  const last = path[path.length - 1];
  if (typeof node !== "object" || node === null || !isKey(last)) throw malformed("byte path does not resolve");
  if (last === "__proto__" || last === "constructor" || last === "prototype") throw malformed("forbidden key");
  (node as Record<string | number, unknown>)[last] = value;
}

function isKey(k: unknown): k is string | number {
  return typeof k === "string" || (typeof k === "number" && Number.isInteger(k) && k >= 0);
}

function step(node: unknown, key: unknown): unknown {
  if (typeof node !== "object" || node === null || !isKey(key) || !Object.hasOwn(node, key)) {
    throw malformed("byte path does not resolve");
  }
  return (node as Record<string | number, unknown>)[key];
}

/** Joins outgoing messages' JSON texts into as few frames as possible, keeping order. */
export function coalesce(queue: Frame[]): Frame[] {
  if (queue.length === 1) return queue;
  const out: Frame[] = [];
  // The current run of text messages: its first, and all of them once there are two.
  let first: string | undefined;
  let texts: string[] | undefined;
  for (const frame of queue) {
    if (typeof frame === "string") {
      if (first === undefined) first = frame;
      else (texts ??= [first]).push(frame);
      continue;
    }
    if (first !== undefined) out.push(texts ? `[${texts.join(",")}]` : first);
    first = texts = undefined;
    out.push(frame);
  }
  if (first !== undefined) out.push(texts ? `[${texts.join(",")}]` : first);
  return out;
}
