#!/usr/bin/env node
// The installed command: runs the bundled helper, and tells a developer how to build it if missing.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'dist', 'openutm.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('openutm: the helper is not built yet; run `npm run build` in the repository first.\n');
  process.exit(1);
}
require(bundle);
