#!/usr/bin/env node
// The command (package.json "bin"). CommonJS, so node starts it without its ES module loader;
// all logic lives in dist/ (src/launcher.ts). bin/mlforge.js is the same for `import`.
'use strict';
const { run } = require('../dist/launcher.cjs');

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
