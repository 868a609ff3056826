// The templates compiled to JavaScript. Running from source there are none (the
// templates/ folder is compiled on the fly); scripts/build.mjs replaces this
// module with the generated one (write-template-bundle.ts) when it bundles the CLI.

import type { TemplateBundle } from './template-bundle.js';

export const bundledTemplates: TemplateBundle | undefined = undefined;
