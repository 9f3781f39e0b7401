/**
 * The SETTINGS block of a built paste bundle (`transformations/*.js`): the one part a user edits.
 * The build writes it as `const SETTINGS = {…};` followed by a `// END SETTINGS` line.
 */

const MARKER = "const SETTINGS = ";
const END = ";\n// END SETTINGS";

function bounds(code: string): [start: number, end: number] {
  const start = code.indexOf(MARKER);
  const end = code.indexOf(END);
  if (start < 0 || end < start) throw new Error("this file has no SETTINGS block; rebuild the package");
  return [start + MARKER.length, end];
}

/** the settings a bundle holds */
export function readBundleSettings(code: string): Record<string, unknown> {
  const [start, end] = bounds(code);
  return JSON.parse(code.slice(start, end)) as Record<string, unknown>;
}

/** the bundle with its settings replaced, as a user edits them before pasting */
export function withBundleSettings(code: string, settings: object): string {
  const [start, end] = bounds(code);
  return `${code.slice(0, start)}${JSON.stringify(settings, null, 2)}${code.slice(end)}`;
}
