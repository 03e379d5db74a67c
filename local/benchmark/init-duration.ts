import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const HANDLERS_DIR = join(__dirname, '..', '..', 'lambdas', 'handlers');

/**
 * How long loading one of our bundled handlers takes (ms, median of `runs` fresh Node
 * processes on this machine): the part of a cold start's INIT phase that is our code's. The
 * bundle is built as `infra/functions.ts` has NodejsFunction build it (esbuild, CommonJS,
 * minified, names kept, the AWS SDK inside, source maps on).
 */
export function measureHandlerLoadMs(handlerFile = 'create-snapshot.ts', runs = 5): number {
  const dir = mkdtempSync(join(tmpdir(), 'ebs-bench-bundle-'));
  try {
    const outfile = join(dir, 'index.js');
    buildSync({
      entryPoints: [join(HANDLERS_DIR, handlerFile)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      minify: true,
      keepNames: true,
      sourcemap: true,
      sourcesContent: false,
      logLevel: 'silent',
    });
    const script = `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
    const times = Array.from({ length: runs }, () =>
      Number(
        execFileSync(process.execPath, ['--enable-source-maps', '-e', script], {
          env: { ...process.env, AWS_REGION: 'us-east-1', MANAGED_BY: 'bench' },
          encoding: 'utf8',
        }).trim(),
      ),
    ).sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
