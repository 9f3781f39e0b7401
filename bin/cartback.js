#!/usr/bin/env node
// the published entry point: runs the compiled CLI from dist/
import { main } from "../dist/cli/main.js";

// a reader that stops early (`cartback simulate … | head`) closes the pipe: stop quietly, as other
// command-line tools do, instead of failing on the next write
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(0);
});

process.exitCode = await main(process.argv.slice(2));
