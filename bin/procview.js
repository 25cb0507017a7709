#!/usr/bin/env node
// The `procview` command. The real code is bundled into dist/ by `npm run build`
// (run by `npm install` through the `prepare` script).
require('../dist/cli.js');
