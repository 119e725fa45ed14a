/**
 * Glob patterns as capabilities use them: over window labels (`*` matches anything) and
 * over absolute paths, where `*` and `?` stay inside one component, `**` spans components,
 * and a component starting with `.` matches only a pattern component that starts with `.`.
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

/** One component of a path pattern, compiled. */
function componentRegex(part: string): string {
  let src = "";
  let i = 0;
  // The first character of a component may not match a leading dot through a wildcard.
  const noDot = part.startsWith(".") ? "" : "(?!\\.)";
  while (i < part.length) {
    const ch = part[i]!;
    if (ch === "*") {
      while (part[i + 1] === "*") i++;
      src += "[^/]*";
    } else if (ch === "?") {
      src += "[^/]";
    } else if (ch === "[") {
      const end = part.indexOf("]", i + 2);
      if (end === -1) {
        src += "\\[";
      } else {
        let body = part.slice(i + 1, end);
        const negate = body.startsWith("!") || body.startsWith("^");
        if (negate) body = body.slice(1);
        const cls = body.replace(/[\\\]^]/g, "\\$&").replace(/\//g, "");
        src += negate ? `[^/${cls}]` : `[${cls}]`;
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
export function compilePathGlob(pattern: string): RegExp {
  const parts = pattern.split("/").filter((p, i) => p !== "" || i === 0);
  let src = "";
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === "**") {
      // Zero or more components, none of them hidden.
      src += "(?:/(?!\\.)[^/]+)*";
    } else {
      src += "/" + componentRegex(part);
    }
  }
  return new RegExp(`^${src === "" ? "/" : src}$`, "s");
}
