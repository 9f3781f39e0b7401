import type * as z from "zod/mini";
import { type Issue, type IssueCode, issue } from "../result.js";

type ZodIssue = z.core.$ZodIssue;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value.length > 40 ? `"${value.slice(0, 40)}…"` : `"${value}"`;
  if (typeof value === "object") return "an object";
  return String(value);
}

/** zod's issues as cartback issues, with messages a person can act on */
export function fromZodIssues(
  issues: readonly ZodIssue[],
  input: unknown,
  base: (string | number)[] = [],
): Issue[] {
  return issues.map((zi) => {
    const path = [...base, ...zi.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
    const value = valueAt(input, zi.path);
    if (
      value == null &&
      (zi.code === "invalid_type" || zi.code === "invalid_union" || zi.code === "custom")
    ) {
      return issue("missing_field", path, `${path.at(-1) ?? "value"} is required`);
    }
    // our schemas carry their own wording; zod/mini's generic one is "Invalid input"
    const custom = zi.message && !zi.message.startsWith("Invalid input") ? zi.message : undefined;
    const expected = custom ?? defaultMessage(zi);
    const code =
      zi.code === "custom"
        ? ((zi.params?.code as IssueCode | undefined) ?? "invalid_value")
        : zi.code === "invalid_type" || zi.code === "invalid_union"
          ? "invalid_type"
          : "invalid_value";
    return issue(code, path, `${expected}, got ${describe(value)}`);
  });
}

function defaultMessage(zi: ZodIssue): string {
  switch (zi.code) {
    case "invalid_type":
      return `expected ${zi.expected}`;
    case "too_small":
      return `expected at least ${String(zi.minimum)}`;
    case "too_big":
      return `expected at most ${String(zi.maximum)}`;
    case "invalid_value":
      return `expected one of ${zi.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return `expected a ${zi.format}`;
    default:
      return "invalid value";
  }
}
