/**
 * `log` through a guard: RudderStack's executor injects it, but with its isolate cache on
 * (`USE_IVM_CACHE=true`) it is missing from the second batch on, and an unguarded call would fail
 * every event with `ReferenceError: log is not defined`.
 */
export function say(line: string): void {
  if (typeof log === "function") log(line);
}
