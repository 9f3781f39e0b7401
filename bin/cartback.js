#!/usr/bin/env node
// the published entry point: runs the compiled CLI from dist/
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
