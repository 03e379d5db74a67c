import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = join(__dirname, '..', '..');
export const HANDLERS_DIR = join(ROOT, 'lambdas', 'handlers');
/** `infra/functions.ts` bundles for the deployed runtime. */
export const BUNDLE_TARGET = 'node24';

/** A handler module on disk, or one given as source (resolved from the repository's node_modules). */
export type BundleEntry = { file: string } | { source: string };

/**
 * Bundles a handler as `infra/functions.ts` has NodejsFunction do it: esbuild, CommonJS,
 * minified, names kept, the AWS SDK inside, source maps on (without sources content), for the
 * deployed runtime. Returns the bundle's size in bytes.
 */
export function bundleAsDeployed(entry: BundleEntry, outfile: string): number {
  buildSync({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : {
          stdin: { contents: entry.source, resolveDir: ROOT, loader: 'ts' as const, sourcefile: 'bare.ts' },
        }),
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: BUNDLE_TARGET,
    minify: true,
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'silent',
  });
  return statSync(outfile).size;
}

/** The environment the deployed functions have (values are placeholders; nothing is called). */
export const DEPLOYED_ENVIRONMENT = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  MANAGED_BY: 'bench',
  TARGET_TAG_KEY: 'Backup-Generation',
  WORK_BUCKET: 'bench-bucket',
  WAIT_LIMIT_SECONDS: '86400',
  STATE_MACHINE_NAME: 'bench',
  POWERTOOLS_SERVICE_NAME: 'ebs-generation-backup',
  POWERTOOLS_METRICS_NAMESPACE: 'EbsGenerationBackup',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Runs `script` in a fresh Node process (flags as deployed unless given) and returns its stdout. */
export function freshNode(script: string, flags: string[] = ['--enable-source-maps']): string {
  return execFileSync(process.execPath, [...flags, '-e', script], {
    env: { PATH: process.env.PATH, ...DEPLOYED_ENVIRONMENT },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
