/**
 * Command definitions: a handler `(args, ctx)` with an optional Standard Schema for its args.
 */

import type { StandardSchemaV1 } from "@standard-schema/spec";
import { FerryError } from "../protocol/errors.ts";
import { formatPath } from "../protocol/codec.ts";
import type { AppHandle } from "./app.ts";
import type { CommandScope } from "../acl/types.ts";
import type { CommandTypes, Declared, ErrorMap, EventMap } from "../protocol/types.ts";
import type { AnyEvents } from "./events.ts";

/** What a handler learns about its call besides the args. `Events` types `ctx.app.emit` (see `defineEvents`). */
export interface CommandContext<State = unknown, Events = AnyEvents> {
  /** Label of the calling window, bound to the token it connected with. */
  readonly window: string;
  /** Fires when the page cancels the call or its connection closes. */
  readonly signal: AbortSignal;
  /** The app, to emit events or reach state. */
  readonly app: AppHandle<State, Events>;
  /** App state registered at start-up (`createApp({ state })`). */
  readonly state: State;
  /** Scope the window's grant carries for this command (e.g. fs paths), when it has any. */
  readonly scope?: CommandScope;
}

/** A command's handler: its args and call context in, a result (or a promise of one) out. */
export type Handler<Args, State, Result, Events = AnyEvents> = (args: Args, ctx: CommandContext<State, Events>) => Result | Promise<Result>;

/**
 * How argument names cross the wire, as Tauri's `rename_all`:
 * - `"camelCase"`: the page sends camelCase keys (Tauri's default); the handler sees them
 *   in snake_case (`filePath` → `file_path`), so handlers ported from Rust keep their names;
 * - `"snake_case"`: keys reach the handler exactly as the page sent them.
 */
export type ArgNames = "camelCase" | "snake_case";

/**
 * A command as the registry holds it. The type parameters after `Result` exist for typed
 * clients only: `Input` is what the page sends (a schema's input type), `Errors` the kinds
 * it declares (`defineErrors`), `Rename` its own `rename` option.
 */
export interface Command<
  Args = any,
  State = any,
  Result = unknown,
  Input = Args,
  Errors extends ErrorMap = {},
  Rename extends ArgNames | undefined = ArgNames | undefined,
> {
  readonly args?: StandardSchemaV1<unknown, Args> | undefined;
  readonly handler: Handler<Args, State, Result>;
  /** Argument naming on the wire; default: the app's `rename` option. */
  readonly rename?: Rename | undefined;
  /** Types for typed clients (docs/types.md); never set at run time. */
  readonly "~types"?: CommandTypes<Input, Result, Errors, Rename> | undefined;
}

/** Options of `defineCommand` beyond the schema. */
export interface CommandOptions<Errors extends ErrorMap = ErrorMap, Rename extends ArgNames | undefined = ArgNames | undefined> {
  /** Argument naming on the wire (see `ArgNames`); default: the app's `rename` option. */
  rename?: Rename;
  /** The error kinds the command throws and their `data`, for typed clients: `defineErrors<{ not_found: { path: string } }>()`. */
  errors?: Declared<Errors>;
}

/** A plain handler function or a full definition. */
export type CommandInput<State> = Handler<any, State, unknown> | Command<any, State, unknown, any, any, any>;

/**
 * Declares a command's error kinds and the type of each one's `data`, for typed clients;
 * nothing is checked at run time (the handler throws `new FerryError(kind, message, data)`).
 *
 * @example
 * const read = defineCommand(schema, handler, { errors: defineErrors<{ not_found: { path: string }; io: { code: string } }>() });
 */
export function defineErrors<Errors extends ErrorMap>(): Declared<Errors> {
  return DECLARED;
}

/**
 * Declares the app's event map (event name → payload type), for `createApp({ events })`:
 * `emit`, `listen` … are then checked on the backend and on a typed page. Nothing exists
 * at run time.
 *
 * @example
 * type Events = { "job-progress": number; "job-done": null };
 * const app = createApp({ commands, events: defineEvents<Events>() });
 */
export function defineEvents<Events extends EventMap>(): Declared<Events> {
  return DECLARED;
}

const DECLARED: Declared<never> = Object.freeze({});

/**
 * Defines a command whose args are checked by a Standard Schema (zod, valibot, arktype …)
 * before the handler runs; the handler's args type is the schema's output, and a typed
 * page sends the schema's input. Without a schema, the handler's own parameter type is
 * what the page sends (and nothing checks it at run time).
 *
 * @example
 * const greet = defineCommand(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}!`);
 * // ported from Rust: the page sends `{ filePath }`, the handler reads `file_path`
 * const open = defineCommand(z.object({ file_path: z.string() }), ({ file_path }) => …, { rename: "camelCase" });
 * // no schema, declared errors
 * const stop = defineCommand((_args: {}, ctx) => …, { errors: defineErrors<{ not_running: null }>() });
 */
export function defineCommand<
  Schema extends StandardSchemaV1,
  State = any,
  Result = unknown,
  Errors extends ErrorMap = {},
  Rename extends ArgNames | undefined = undefined,
>(
  args: Schema,
  handler: Handler<StandardSchemaV1.InferOutput<Schema>, State, Result>,
  options?: CommandOptions<Errors, Rename>,
): Command<StandardSchemaV1.InferOutput<Schema>, State, Result, StandardSchemaV1.InferInput<Schema>, Errors, Rename>;
export function defineCommand<
  Args,
  State = any,
  Result = unknown,
  Errors extends ErrorMap = {},
  Rename extends ArgNames | undefined = undefined,
>(handler: Handler<Args, State, Result>, options?: CommandOptions<Errors, Rename>): Command<Args, State, Result, Args, Errors, Rename>;
export function defineCommand(
  first: StandardSchemaV1 | Handler<unknown, unknown, unknown>,
  second?: Handler<unknown, unknown, unknown> | CommandOptions,
  third: CommandOptions = {},
): Command {
  // An arktype schema is a function too: the `~standard` key tells a schema from a handler.
  const isSchema = typeof (first as Partial<StandardSchemaV1> | null)?.["~standard"]?.validate === "function";
  if (typeof first === "function" && !isSchema) {
    const options = (second ?? {}) as CommandOptions;
    return { handler: first as Handler<unknown, unknown, unknown>, rename: options.rename };
  }
  if (!isSchema || typeof second !== "function") {
    throw new TypeError(
      "defineCommand: pass a Standard Schema (zod, valibot, arktype …) and a handler, or a handler alone: defineCommand(schema, handler) or defineCommand(handler)",
    );
  }
  return { args: first as StandardSchemaV1, handler: second, rename: third.rename };
}

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Renames camelCase keys to snake_case (`filePath` → `file_path`); other keys stay. */
export function snakeCaseKeys(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(args)) {
    const name = snake(key);
    if (name !== "__proto__") out[name] = args[key];
  }
  return out;
}

/** Normalises a registry entry; throws at start-up for anything that is not a command. */
export function toCommand(name: string, input: unknown): Command {
  if (typeof input === "function") return { handler: input as Command["handler"] };
  if (typeof input === "object" && input !== null && typeof (input as Command).handler === "function") {
    return input as Command;
  }
  throw new TypeError(`command ${JSON.stringify(name)} must be a function or defineCommand(...)`);
}

/**
 * An issue's path with its first key as the page sent it: a command with `rename: "camelCase"`
 * validates `the_argument`, and the message names `theArgument`, the key the page knows.
 */
function issueKeys(issue: StandardSchemaV1.Issue, sent: (key: string) => string): (string | number)[] {
  const keys = (issue.path ?? []).map((k) => (typeof k === "object" ? k.key : k));
  return keys.map((k, i) => (typeof k === "symbol" ? String(k) : i === 0 && typeof k === "string" ? sent(k) : k));
}

const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * Runs the command's schema; throws `invalid_args` in Tauri's wording (`invalid args
 * \`theArgument\` for command \`greet\`: …`), naming each key as the page sent it, with every
 * problem and its path in `data.issues`.
 *
 * @param sentKeys the keys of the args as the page sent them, when they were renamed (`rename: "camelCase"`)
 */
export async function validateArgs(
  command: string,
  schema: StandardSchemaV1,
  args: unknown,
  sentKeys?: readonly string[],
): Promise<unknown> {
  let result = schema["~standard"].validate(args);
  if (result instanceof Promise) result = await result;
  if (!result.issues) return result.value;
  const sent = (key: string): string => (sentKeys ? (sentKeys.find((k) => snake(k) === key) ?? camel(key)) : key);
  const issues = result.issues.map((i) => {
    const keys = issueKeys(i, sent);
    return { path: formatPath("args", keys), key: formatPath("", keys).replace(/^\./, ""), message: i.message };
  });
  const list = issues.map((i, n) => (n === 0 ? "" : `; \`${i.key}\`: `) + i.message).join("");
  const first = issues[0]!.key;
  throw new FerryError("invalid_args", `invalid args ${first ? `\`${first}\` ` : ""}for command \`${command}\`: ${list}`, {
    command,
    issues: issues.map(({ path, message }) => ({ path, message })),
  });
}
