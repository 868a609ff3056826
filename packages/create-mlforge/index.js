#!/usr/bin/env node
// `npm create mlforge [directory] [options]` runs `mlforge new [directory] [options]`:
// the arguments are forwarded unchanged, and exit codes, prompts and signals are mlforge's own.
process.argv.splice(2, 0, 'new');
await import('mlforge/bin/mlforge.js');
