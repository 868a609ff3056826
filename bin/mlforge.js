#!/usr/bin/env node
// Thin launcher: all logic lives in the bundled dist/cli.js.
import { run } from '../dist/cli.js';

process.exitCode = await run(process.argv.slice(2));
