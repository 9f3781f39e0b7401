/**
 * The `cartback` command line. Each command lives in `commands/<name>.ts` and is registered here.
 */
import { dlqCommand } from "./commands/dlq.js";
import { emulateCommand } from "./commands/emulate.js";
import { forgetCommand } from "./commands/forget.js";
import { journeyCommand } from "./commands/journey.js";
import { previewCommand } from "./commands/preview.js";
import { profileCommand } from "./commands/profile.js";
import { reportCommand } from "./commands/report.js";
import { serveCommand } from "./commands/serve.js";
import { setupCommand } from "./commands/setup.js";
import { simulateCommand } from "./commands/simulate.js";
import { transformationCommand } from "./commands/transformation.js";
import { validateCommand } from "./commands/validate.js";
import { whenDrained } from "./ndjson.js";
import type { CliCommand, CliIO } from "./types.js";

export const COMMANDS: CliCommand[] = [
  validateCommand,
  simulateCommand,
  previewCommand,
  journeyCommand,
  transformationCommand,
  emulateCommand,
  setupCommand,
  serveCommand,
  dlqCommand,
  profileCommand,
  reportCommand,
  forgetCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  const lines = COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return [
    "cartback — one orchestrated cart-recovery journey across email and SMS",
    "",
    "Usage: cartback <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run `cartback <command> --help` for a command's options.",
  ].join("\n");
}

const defaultIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: process.stdin,
  stdoutReady: () => whenDrained(process.stdout),
};

/** runs the CLI and resolves to the exit code */
export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(`${usage()}\n`);
    return name === undefined ? 1 : 0;
  }
  if (name === "--version" || name === "-v") {
    const pkg = (await import("../../package.json", { with: { type: "json" } })).default;
    io.stdout(`${pkg.version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`cartback: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`cartback ${name}: ${message}\n`);
    return 2;
  }
}
