/** names a message in error messages so a failed event can be found in the dashboard */
export function describeMessage(message: unknown): string {
  if (message === null || typeof message !== "object" || Array.isArray(message)) return "the event";
  const m = message as Record<string, unknown>;
  const name = typeof m.event === "string" ? ` "${m.event}"` : "";
  const type = typeof m.type === "string" ? m.type : "message";
  const id = typeof m.messageId === "string" ? ` (messageId ${m.messageId})` : "";
  return `${type}${name}${id}`;
}
