/**
 * Command definitions: a handler `(args, ctx)` with an optional Standard Schema for its args.
 */

import type { StandardSchemaV1 } from "@standard-schema/spec";
import { FerryError } from "../protocol/errors.ts";
import { formatPath } from "../protocol/codec.ts";
import type { AppHandle } from "./app.ts";
import type { CommandScope } from "../acl/types.ts";

/** What a handler learns about its call besides the args. */
export interface CommandContext<State = unknown> {
  /** Label of the calling window, bound to the token it connected with. */
  readonly window: string;
  /** Fires when the page cancels the call or its connection closes. */
  readonly signal: AbortSignal;
  /** The app, to emit events or reach state. */
  readonly app: AppHandle<State>;
  /** App state registered at start-up (`createApp({ state })`). */
  readonly state: State;
  /** Scope the window's grant carries for this command (e.g. fs paths), when it has any. */
  readonly scope?: CommandScope;
}

/** A command's handler: its args and call context in, a result (or a promise of one) out. */
export type Handler<Args, State, Result> = (args: Args, ctx: CommandContext<State>) => Result | Promise<Result>;

/**
 * How argument names cross the wire, as Tauri's `rename_all`:
 * - `"camelCase"`: the page sends camelCase keys (Tauri's default); the handler sees them
 *   in snake_case (`filePath` → `file_path`), so handlers ported from Rust keep their names;
 * - `"snake_case"`: keys reach the handler exactly as the page sent them.
 */
export type ArgNames = "camelCase" | "snake_case";

/** A command as the registry holds it. */
export interface Command<Args = any, State = any, Result = unknown> {
  readonly args?: StandardSchemaV1<unknown, Args> | undefined;
  readonly handler: Handler<Args, State, Result>;
  /** Argument naming on the wire; default: the app's `rename` option. */
  readonly rename?: ArgNames | undefined;
}

/** Options of `defineCommand` beyond the schema. */
export interface CommandOptions {
  /** Argument naming on the wire (see `ArgNames`); default: the app's `rename` option. */
  rename?: ArgNames;
}

/** A plain handler function or a full definition. */
export type CommandInput<State> = Handler<any, State, unknown> | Command<any, State, unknown>;

/**
 * Defines a command whose args are checked by a Standard Schema (zod, valibot, arktype …)
 * before the handler runs; the handler's args type is the schema's output.
 *
 * @example
 * const greet = defineCommand(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}!`);
 * // ported from Rust: the page sends `{ filePath }`, the handler reads `file_path`
 * const open = defineCommand(z.object({ file_path: z.string() }), ({ file_path }) => …, { rename: "camelCase" });
 */
export function defineCommand<Schema extends StandardSchemaV1, State = any, Result = unknown>(
  args: Schema,
  handler: Handler<StandardSchemaV1.InferOutput<Schema>, State, Result>,
  options: CommandOptions = {},
): Command<StandardSchemaV1.InferOutput<Schema>, State, Result> {
  if (typeof args?.["~standard"]?.validate !== "function") {
    throw new TypeError("defineCommand: the first argument must be a Standard Schema (zod, valibot, arktype …)");
  }
  return { args: args as StandardSchemaV1<unknown, StandardSchemaV1.InferOutput<Schema>>, handler, rename: options.rename };
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
