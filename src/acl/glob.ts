/**
 * Glob patterns as capabilities use them: over window labels (`*` matches anything) and
 * over absolute paths, where `*` and `?` stay inside one component, `**` spans components,
 * and a component starting with `.` matches only a pattern component that starts with `.`
 * (except in `dot` mode, which deny entries use).
 */

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Compiles a label glob (`*` any run of characters, `?` one character). */
export function compileLabelGlob(pattern: string): RegExp {
  let src = "";
  for (const ch of pattern) src += ch === "*" ? ".*" : ch === "?" ? "." : escapeRegex(ch);
  return new RegExp(`^${src}$`, "s");
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
}

/** The body of a bracket expression as a RegExp class body, or undefined when it is not one. */
function bracketClass(body: string): string | undefined {
  const cls = body.replace(/[\\\]^]/g, "\\$&");
  try {
    new RegExp(`[${cls}]`);
  } catch {
    return undefined; // e.g. a reversed range: the "[" is literal
  }
  return cls;
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
      const cls = bracketClass(body);
      if (cls !== undefined && new RegExp(`[${cls}]`).test("/")) out.push(part.slice(i, end + 1));
      i = end;
    }
  }
  return out;
}

/** One component of a path pattern, compiled. */
function componentRegex(part: string, dot: boolean): string {
  let src = "";
  let i = 0;
  // The first character of a component may not match a leading dot through a wildcard.
  const noDot = dot || part.startsWith(".") ? "" : "(?!\\.)";
  while (i < part.length) {
    const ch = part[i]!;
    if (ch === "*") {
      while (part[i + 1] === "*") i++;
      src += "[^/]*";
    } else if (ch === "?") {
      src += "[^/]";
    } else if (ch === "[") {
      const end = part.indexOf("]", i + 2);
      let body = end === -1 ? "" : part.slice(i + 1, end);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      const cls = end === -1 ? undefined : bracketClass(body);
      if (cls === undefined) {
        src += "\\[";
      } else {
        // A class never matches "/", even through a range that spans it (`[+-9]`).
        src += negate ? `[^/${cls}]` : `(?!/)[${cls}]`;
        i = end;
      }
    } else {
      src += escapeRegex(ch);
    }
    i++;
  }
  return noDot + src;
}

/**
 * Compiles an absolute path pattern (variables already expanded) to a RegExp over
 * normalised absolute paths. `/a/**` also matches `/a` itself.
 */
export function compilePathGlob(pattern: string, options: PathGlobOptions = {}): RegExp {
  const dot = options.dot === true;
  const parts = pattern.split("/").filter((p, i) => p !== "" || i === 0);
  let src = "";
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === "**") {
      // Zero or more components; hidden ones only in dot mode.
      src += dot ? "(?:/[^/]+)*" : "(?:/(?!\\.)[^/]+)*";
    } else {
      src += "/" + componentRegex(part, dot);
    }
  }
  return new RegExp(`^${src === "" ? "/" : src}$`, "s");
}
