/**
 * Glob patterns as capabilities use them: over window labels (`*` matches anything) and
 * over absolute paths, where `*` and `?` stay inside one component, `**` spans components,
 * and a component starting with `.` matches only a pattern component that starts with `.`
 * (except in `dot` mode, which deny entries use).
 *
 * Matching never backtracks: the subject may be page-chosen, and the RegExps these globs
 * used to compile to took 0.2–1.4 s for `*-*-*-*` against a 251-character name (~114 s for
 * six stars). Within a component, a greedy matcher that only ever returns to the last `*`
 * does at most (component length + 1) × (tokens + 1) steps; across components, the pattern
 * is run as a set of states (one per pattern component), so each pair of path component and
 * pattern component is tried at most once. The whole match is linear in the path's length
 * times the pattern's length.
 */

/** Counts the steps a match takes, so tests can bound the work without a timer. */
export interface StepCounter {
  steps: number;
}

/** A compiled glob. */
export interface Glob {
  /** Whether `subject` matches; `counter.steps` grows by the steps this took. */
  test(subject: string, counter?: StepCounter): boolean;
}

/** A compiled path glob. */
export interface PathGlob extends Glob {
  /**
   * Whether the pattern matches `path` or a folder above it other than `/`: what a deny
   * entry refuses, since denying `$HOME/.ssh` denies what is inside it too. One pass.
   */
  testOrAncestor(path: string, counter?: StepCounter): boolean;
}

/** A bracket expression: inclusive code unit ranges as [lo, hi, lo, hi, …]. */
interface CharClass {
  ranges: number[];
  negate: boolean;
}

/** One character position of a pattern: a code unit, `?`, `*` or a bracket expression. */
type Token = number | typeof ANY | typeof STAR | CharClass;
const ANY = -1;
const STAR = -2;

const inRanges = (ranges: readonly number[], c: number): boolean => {
  for (let k = 0; k < ranges.length; k += 2) if (c >= ranges[k]! && c <= ranges[k + 1]!) return true;
  return false;
};

const tokenMatches = (token: Token, c: number): boolean =>
  typeof token === "number" ? token === ANY || token === c : inRanges(token.ranges, c) !== token.negate;

/**
 * Whether `tokens` match all of `s`, greedily: on a mismatch, the last `*` takes one more
 * character and matching resumes after it. Earlier stars never need revisiting, because the
 * last one can absorb whatever they would have taken, so the steps are bounded by
 * (s.length + 1) × (tokens.length + 1).
 */
function matchTokens(tokens: readonly Token[], s: string, counter: StepCounter | undefined): boolean {
  let t = 0;
  let i = 0;
  let starT = -1;
  let starI = 0;
  let steps = 0;
  let matched: boolean | undefined;
  while (matched === undefined) {
    steps++;
    const token = tokens[t];
    if (i === s.length) {
      // Only stars may be left; a star taking more characters cannot help with none left.
      while (tokens[t] === STAR) t++;
      matched = t === tokens.length;
    } else if (token === STAR) {
      starT = t++;
      starI = i;
    } else if (token !== undefined && tokenMatches(token, s.charCodeAt(i))) {
      t++;
      i++;
    } else if (starT !== -1) {
      t = starT + 1;
      i = ++starI;
    } else {
      matched = false;
    }
  }
  if (counter) counter.steps += steps;
  return matched;
}

/** Compiles a label glob (`*` any run of characters, `?` one character). */
export function compileLabelGlob(pattern: string): Glob {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "*") {
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
    } else tokens.push(ch === "?" ? ANY : pattern.charCodeAt(i));
  }
  return { test: (label, counter) => matchTokens(tokens, label, counter) };
}

/** True when `label` matches one of `patterns`. */
export function matchesLabel(patterns: readonly string[], label: string): boolean {
  return patterns.some((p) => compileLabelGlob(p).test(label));
}

/** Characters that make a path pattern component a glob rather than a literal name. */
export const GLOB_CHARS = /[*?[]/;

export interface PathGlobOptions {
  /**
   * Wildcards also match names starting with `.`. Deny entries use this: `"$HOME/**\/*.pem"`
   * must also deny `~/.certs/server.pem`.
   */
  dot?: boolean;
  /**
   * Each pattern component also matches the name it spells, glob characters and all. Deny
   * entries use this, so that a deny of `secret[1].txt` also denies the file literally named
   * so (fail closed), not only `secret1.txt`.
   */
  literal?: boolean;
}

/**
 * The body of a bracket expression (after `!` or `^`) as ranges, read as a RegExp class
 * would read it: `a-z` is a range, a `-` first or last is itself. Undefined when a range is
 * reversed (`[z-a]`): then the `[` is a literal character.
 */
function parseClass(body: string): number[] | undefined {
  const ranges: number[] = [];
  for (let k = 0; k < body.length;) {
    const lo = body.charCodeAt(k);
    if (body[k + 1] === "-" && k + 2 < body.length) {
      const hi = body.charCodeAt(k + 2);
      if (lo > hi) return undefined;
      ranges.push(lo, hi);
      k += 3;
    } else {
      ranges.push(lo, lo);
      k++;
    }
  }
  return ranges;
}

/**
 * The bracket expressions of a path pattern that would match `/` as written (`[+-9]`,
 * `[--0]`): they never do here, which is rarely what their author meant. For `ferry check`.
 */
export function slashSpanningBrackets(pattern: string): string[] {
  const out: string[] = [];
  for (const part of pattern.split("/")) {
    for (let i = part.indexOf("["); i !== -1; i = part.indexOf("[", i + 1)) {
      const end = part.indexOf("]", i + 2);
      if (end === -1) break;
      const body = part.slice(i + 1, end);
      if (body.startsWith("!") || body.startsWith("^")) continue;
      const ranges = parseClass(body);
      if (ranges !== undefined && inRanges(ranges, 0x2f)) out.push(part.slice(i, end + 1));
      i = end;
    }
  }
  return out;
}

/** One component of a path pattern, compiled. */
interface Component {
  tokens: Token[];
  /** The component as written, for `literal` mode. */
  text: string;
  /** Whether a name starting with `.` may match (dot mode, or the pattern starts with `.`). */
  hidden: boolean;
}

/** `**`: zero or more components. */
const GLOBSTAR = "**";

function compileComponent(part: string, dot: boolean): Component {
  const tokens: Token[] = [];
  for (let i = 0; i < part.length; i++) {
    const ch = part[i];
    if (ch === "*") {
      while (part[i + 1] === "*") i++;
      tokens.push(STAR);
    } else if (ch === "?") {
      tokens.push(ANY);
    } else if (ch === "[") {
      // The first character after "[" (or "[!") may be "]" and then belongs to the class.
      const end = part.indexOf("]", i + 2);
      let body = end === -1 ? "" : part.slice(i + 1, end);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      const ranges = end === -1 ? undefined : parseClass(body);
      if (ranges === undefined) {
        tokens.push(0x5b); // "[" stands for itself
      } else {
        // Path components never hold "/", so no class matches it, even through a range that spans it.
        tokens.push({ ranges, negate });
        i = end;
      }
    } else {
      tokens.push(part.charCodeAt(i));
    }
  }
  return { tokens, text: part, hidden: dot || part.startsWith(".") };
}

/**
 * Compiles an absolute path pattern (variables already expanded) to a matcher over
 * normalised absolute paths. `/a/**` also matches `/a` itself; `/` matches only `/`.
 */
export function compilePathGlob(pattern: string, options: PathGlobOptions = {}): PathGlob {
  const dot = options.dot === true;
  const literal = options.literal === true;
  // Empty components ("//", a trailing "/") are dropped; what precedes the first "/" is ignored.
  const parts = pattern
    .split("/")
    .slice(1)
    .filter((p) => p !== "");
  const segments: (Component | typeof GLOBSTAR)[] = parts.map((p) => (p === GLOBSTAR ? GLOBSTAR : compileComponent(p, dot)));
  const m = segments.length;

  const componentMatches = (seg: Component, name: string, counter: StepCounter | undefined): boolean => {
    if (literal && name === seg.text) return true;
    if (!seg.hidden && name.charCodeAt(0) === 0x2e) return false;
    return matchTokens(seg.tokens, name, counter);
  };

  /** States reachable without consuming a component: past any `**` that may match none. */
  const close = (states: Uint8Array) => {
    for (let s = 0; s < m; s++) if (states[s] && segments[s] === GLOBSTAR) states[s + 1] = 1;
  };

  /**
   * Runs the pattern over the components of `path` ("/a/b" → "a", "b"). With `prefixes`,
   * true as soon as the path's first k components match, for any k whose prefix is not "/".
   */
  const run = (path: string, counter: StepCounter | undefined, prefixes: boolean): boolean => {
    if (path !== "" && path.charCodeAt(0) !== 0x2f) return false;
    const names = path === "" ? [] : path.slice(1).split("/");
    let states = new Uint8Array(m + 1);
    let next = new Uint8Array(m + 1);
    states[0] = 1;
    close(states);
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      next.fill(0);
      let any = false;
      for (let s = 0; s < m; s++) {
        if (counter) counter.steps++;
        if (!states[s]) continue;
        const seg = segments[s]!;
        let to = -1;
        if (seg === GLOBSTAR) {
          // Zero or more non-empty components; hidden ones only in dot mode.
          if (name !== "" && (dot || name.charCodeAt(0) !== 0x2e)) to = s;
        } else if (componentMatches(seg, name, counter)) {
          to = s + 1;
        }
        if (to !== -1) {
          next[to] = 1;
          any = true;
        }
      }
      if (!any) return false;
      close(next);
      [states, next] = [next, states];
      // The prefix of one empty component is "/", which no deny entry refuses.
      if (prefixes && states[m] && (k > 0 || name !== "")) return true;
    }
    return !prefixes && states[m] === 1;
  };

  return {
    test(path, counter) {
      return m === 0 ? path === "/" : run(path, counter, false);
    },
    testOrAncestor(path, counter) {
      // A pattern of no components matches only "/", which is never tested.
      return m > 0 && run(path, counter, true);
    },
  };
}
