#!/usr/bin/env node
// `ebs-backup` as installed (package.json `bin`): runs the command line that bin/build-cli.ts
// bundles into dist/ (`prepare`, which `npm ci` and `npm pack` run). Plain JavaScript, so that it
// runs before any build and can say what is missing instead of a stack trace.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const bundle = join(root, 'dist', 'ebs-backup.js');
if (!existsSync(bundle)) {
  process.stderr.write(`ebs-backup: ${bundle} is not built: run npm ci (or npm run build) in ${root}\n`);
  process.exit(2);
}
require(bundle);
