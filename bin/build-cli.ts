// `npm run build`, also run as `prepare` (so by `npm ci`, `npm install` and `npm pack`): bundles
// the operator command line into dist/ebs-backup.js, one file with its dependencies inside, which
// package.json's `bin` (bin/ebs-backup.cjs) runs. An installed package needs nothing else.
import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = join(__dirname, '..');
const OUTFILE = join(ROOT, 'dist', 'ebs-backup.js');

buildSync({
  entryPoints: [join(ROOT, 'bin', 'ebs-backup.ts')],
  outfile: OUTFILE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // package.json `engines`: the oldest Node.js an operator may run it with.
  target: 'node20',
  minify: true,
  // Failures name the IAM action from the SDK command's class name (cli/aws-calls.ts).
  keepNames: true,
  logLevel: 'warning',
});
process.stderr.write(`${relative(ROOT, OUTFILE)}: ${(statSync(OUTFILE).size / 1e6).toFixed(1)} MB\n`);
