/**
 * Results and issues shared by every part of the core, shaped like zod's `safeParse` so users learn one pattern.
 */

/** one thing wrong with an input: a machine-readable code, where it is, and what to do about it */
export interface Issue {
  code: IssueCode;
  /** path inside the input, e.g. `["properties", "products", 2, "price"]` */
  path: (string | number)[];
  message: string;
}

export type IssueCode =
  | "invalid_json"
  | "invalid_type"
  | "missing_field"
  | "invalid_value"
  | "unsupported_event"
  | "missing_identity"
  | "invalid_config"
  /** a time outside the years 2000 to 2099 */
  | "out_of_range"
  /** a field longer than its documented limit */
  | "too_long";

/**
 * the outcome of anything that can fail on its input: the data, or what is wrong (issues, unless a
 * function says otherwise, e.g. the reason a step was not rendered)
 */
export type Result<T, E = Issue[]> = { success: true; data: T } | { success: false; error: E };

export function ok<T>(data: T): { success: true; data: T } {
  return { success: true, data };
}

export function fail<E = Issue[]>(error: E): { success: false; error: E } {
  return { success: false, error };
}

export function issue(code: IssueCode, path: (string | number)[], message: string): Issue {
  return { code, path, message };
}

/** renders a path as `properties.products[2].price` for people */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out === "" ? "(root)" : out;
}

/** one line per issue, for logs and the CLI */
export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message} [${i.code}]`).join("; ");
}
