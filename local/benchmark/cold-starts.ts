import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  BUNDLE_TARGET,
  type BundleEntry,
  bundleAsDeployed,
  freshNode,
  HANDLERS_DIR,
  median,
} from './init-duration';

/**
 * The yardstick: the smallest useful handler on the same SDK, bundled the same way. A handler's
 * cold start is judged by its ratio to this one (issue #9: within 1.25×).
 */
export const BARE_HANDLER_SOURCE = [
  "import { EC2Client } from '@aws-sdk/client-ec2';",
  'const ec2 = new EC2Client({});',
  'export const handler = async () => ec2.config.region;',
].join('\n');
export const BARE = 'bare EC2Client';
export const COLD_START_LIMIT = 1.25;

export interface ColdStartFigure {
  handler: string;
  bundleBytes: number;
  /** `require` of the bundle and its first handler call's setup, ms: median of the samples. */
  medianMs: number;
  samplesMs: number[];
  /** To the bare handler's: time and bundle size. */
  ratio: number;
  bundleRatio: number;
}

export interface ErrorStackFigure {
  handler: string;
  /** The first `error.stack` of a thrown error, formatted and written out, ms: medians. */
  sourceMapsOnMs: number;
  sourceMapsOffMs: number;
  samplesOnMs: number[];
  samplesOffMs: number[];
  /** Whether the stack with source maps on names the TypeScript sources. */
  mappedToSources: boolean;
}

export interface ColdStarts {
  node: string;
  target: string;
  runs: number;
  handlers: ColdStartFigure[];
  errorStack: ErrorStackFigure;
}

/**
 * Cold starts of the five bundled handlers against a bare EC2Client handler. Each sample is a
 * fresh `node --enable-source-maps` process (as deployed: NODE_OPTIONS in infra/functions.ts)
 * timing `require` of the bundle plus the first handler call up to its first await: our handlers
 * build their clients on the first call (`lazyHandler`); called with no event they then throw
 * InvalidInput before any request, the bare one returns its region provider. Rounds visit the
 * bundles in a rotating order, so that drift on a shared machine does not favour one of them.
 */
export function measureColdStarts(runs = 7): ColdStarts {
  const dir = mkdtempSync(join(tmpdir(), 'ebs-bench-cold-'));
  try {
    const entries: [string, BundleEntry][] = [
      [BARE, { source: BARE_HANDLER_SOURCE }],
      ...readdirSync(HANDLERS_DIR)
        .filter((file) => file.endsWith('.ts'))
        .sort()
        .map((file): [string, BundleEntry] => [basename(file, '.ts'), { file: join(HANDLERS_DIR, file) }]),
    ];
    const bundles = entries.map(([name, entry], index) => {
      mkdirSync(join(dir, String(index)));
      const outfile = join(dir, String(index), 'index.js');
      return { name, outfile, bytes: bundleAsDeployed(entry, outfile), samples: [] as number[] };
    });
    for (let round = 0; round < runs; round++) {
      for (let i = 0; i < bundles.length; i++) {
        const bundle = bundles[(i + round) % bundles.length];
        bundle.samples.push(Number(freshNode(coldStartScript(bundle.outfile))));
      }
    }
    const bare = bundles[0];
    const bareMs = median(bare.samples);
    const handlers = bundles.map((b) => ({
      handler: b.name,
      bundleBytes: b.bytes,
      medianMs: round2(median(b.samples)),
      samplesMs: b.samples.map(round2),
      ratio: round2(median(b.samples) / bareMs),
      bundleRatio: round2(b.bytes / bare.bytes),
    }));
    const create = bundles.find((b) => b.name === 'create-snapshot') ?? bundles[1];
    return {
      node: process.version,
      target: BUNDLE_TARGET,
      runs,
      handlers,
      errorStack: measureErrorStack(create.name, create.outfile, runs),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function coldStartScript(outfile: string): string {
  return [
    'const t=process.hrtime.bigint();',
    `const m=require(${JSON.stringify(outfile)});`,
    'let r;try{r=m.handler(undefined)}catch{}',
    'Promise.resolve(r).catch(()=>{}).then(()=>console.log(Number(process.hrtime.bigint()-t)/1e6));',
  ].join('');
}

/**
 * The error path: a handler's InvalidInput thrown, then its first `error.stack` read and written
 * to stderr (as a log line would), timed with `--enable-source-maps` on and off. With source maps
 * on, that first read parses the bundle's source map: the price of TypeScript lines in the logs.
 */
function measureErrorStack(handler: string, outfile: string, runs: number): ErrorStackFigure {
  const script = [
    `const m=require(${JSON.stringify(outfile)});`,
    'let e;try{m.handler(undefined)}catch(x){e=x}',
    'const t=process.hrtime.bigint();',
    "const s=e.stack;require('node:fs').writeSync(2,s+'\\n');",
    'console.log(JSON.stringify({ms:Number(process.hrtime.bigint()-t)/1e6,ts:/\\.ts:\\d+/.test(s)}));',
  ].join('');
  const on: number[] = [];
  const off: number[] = [];
  let mapped = true;
  for (let round = 0; round < runs; round++) {
    const withMaps = JSON.parse(freshNode(script, ['--enable-source-maps']));
    on.push(withMaps.ms);
    mapped &&= withMaps.ts;
    off.push(JSON.parse(freshNode(script, [])).ms);
  }
  return {
    handler,
    sourceMapsOnMs: round2(median(on)),
    sourceMapsOffMs: round2(median(off)),
    samplesOnMs: on.map(round2),
    samplesOffMs: off.map(round2),
    mappedToSources: mapped,
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;
