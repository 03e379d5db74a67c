import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { bundledFunction, STEP_NAMES, type StepName } from '../../infra/functions';
import { backupStacks, type Json, logicalId, testApp } from '../fixtures/infra';

/**
 * The tests that really bundle (about a second per function): GIVEN the real app with the
 * default function factory, WHEN it is synthesized, THEN each step's asset is what Lambda would
 * load: error class names survive minification (Step Functions matches them), the SDK is inside,
 * source maps are on, and the bundle loads on its own in a fresh Node process, away from this
 * repository's node_modules. Each bundle's size and load time is printed (figures, not limits).
 */
const app = testApp({}, { functionFactory: bundledFunction });
const [stack] = backupStacks(app);
const assembly = app.synth();
const template = Template.fromStack(stack);
const resources = template.findResources('AWS::Lambda::Function');

/** A module the SDK requires only inside a try, when a request needs SigV4a (none of ours does). */
const OPTIONAL_REQUIRES = ['@aws-sdk/signature-v4-crt'];

interface Bundle {
  step: StepName;
  assetDir: string;
  code: string;
  properties: Json;
}

const bundles: Bundle[] = STEP_NAMES.map((step) => {
  const properties = resources[logicalId(stack.backup.functions.steps[step].function)].Properties;
  const assetDir = join(assembly.directory, `asset.${properties.Code.S3Key.replace(/\.zip$/, '')}`);
  return { step, assetDir, code: readFileSync(join(assetDir, 'index.js'), 'utf8'), properties };
});
const createSnapshot = bundles.find((bundle) => bundle.step === 'createSnapshot') as Bundle;

/** Every module a bundle names in a `require("…")`: Node's built-ins and what it leaves outside. */
function requiredModules(code: string): string[] {
  return [...new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1]))].sort();
}

const isBuiltin = (name: string) => name.startsWith('node:') || builtinModules.includes(name);

interface Load {
  ms: number;
  handler: string;
  /** What the bundle asked `require` for while loading, other than Node's built-ins. */
  outside: string[];
}

/**
 * Loads a copy of the asset in a fresh `node` with the function's environment (NODE_OPTIONS
 * included), from a folder with no node_modules above it: anything not in the bundle fails.
 */
function loadAlone(bundle: Bundle, dir: string): Load {
  const entry = join(dir, 'index.js');
  const script = `
    const Module = require('node:module');
    const outside = [];
    const load = Module._load;
    Module._load = function (request, parent, ...rest) {
      if (parent?.filename === ${JSON.stringify(entry)} && !Module.isBuiltin(request)) outside.push(request);
      return load.call(this, request, parent, ...rest);
    };
    const start = process.hrtime.bigint();
    const loaded = require(${JSON.stringify(entry)});
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    console.log(JSON.stringify({ ms, handler: typeof loaded.handler, outside }));`;
  const variables = bundle.properties.Environment.Variables as Record<string, unknown>;
  const environment = Object.fromEntries(
    // References to other resources (the bucket's name) resolve only in CloudFormation.
    Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : 'deployed']),
  );
  const output = execFileSync(process.execPath, ['-e', script], {
    cwd: dir,
    env: { ...environment, AWS_REGION: 'us-east-1' },
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').at(-1) as string);
}

function hasNodeModulesAbove(dir: string): boolean {
  for (let path = dir; ; path = dirname(path)) {
    if (existsSync(join(path, 'node_modules'))) return true;
    if (dirname(path) === path) return false;
  }
}

describe('bundled functions', () => {
  // Seven bundles and their source maps: some 20 MB in the temporary directory.
  afterAll(() => rmSync(assembly.directory, { recursive: true, force: true }));

  test('keep the names of the error classes thrown to Step Functions', () => {
    const names = ['SnapshotRateExceededError', 'Ec2ThrottledError', 'Ec2TransientError'];
    expect(names.filter((name) => !createSnapshot.code.includes(`"${name}"`))).toEqual([]);
  });

  test.each(bundles.map((bundle) => [bundle.step, bundle]))(
    '%s: minified, with the AWS SDK inside and nothing else left to require but Node and the optional CRT',
    (_step, bundle) => {
      const lines = bundle.code.split('\n').length;
      expect(bundle.code.length / lines).toBeGreaterThan(1000);
      expect(
        requiredModules(bundle.code).filter((name) => !isBuiltin(name) && !OPTIONAL_REQUIRES.includes(name)),
      ).toEqual([]);
    },
  );

  test('create-snapshot carries the SDK command it sends', () => {
    expect(createSnapshot.code.includes('"CreateSnapshotCommand"')).toBe(true);
  });

  test.each(bundles.map((bundle) => [bundle.step, bundle]))(
    '%s: ships a source map of its handler and turns source maps on',
    (_step, bundle) => {
      const map = JSON.parse(readFileSync(join(bundle.assetDir, 'index.js.map'), 'utf8'));
      expect(map.sources).toEqual(
        expect.arrayContaining([expect.stringMatching(/lambdas\/handlers\/[a-z-]+\.ts$/)]),
      );
      expect(bundle.properties.Handler).toBe('index.handler');
      expect(bundle.properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    },
  );

  test('every step has its own bundle', () => {
    expect(new Set(bundles.map((bundle) => bundle.assetDir)).size).toBe(STEP_NAMES.length);
  });

  test('each loads alone in a fresh Node process and exports handler (sizes and load times printed)', () => {
    const work = mkdtempSync(join(tmpdir(), 'ebs-bundles-'));
    try {
      const rows = bundles.map((bundle) => {
        const dir = join(work, bundle.step);
        cpSync(bundle.assetDir, dir, { recursive: true });
        expect(hasNodeModulesAbove(dir)).toBe(false);
        const { ms, ...loaded } = loadAlone(bundle, dir);
        expect(loaded).toEqual({ handler: 'function', outside: [] });
        return { step: bundle.step, kib: statSync(join(dir, 'index.js')).size / 1024, ms };
      });
      console.log(
        [
          // One sample each, on a machine busy with the other tests: `npm run bench -- --cold-starts` measures.
          `Bundles as deployed: index.js size, require time in a fresh node ${process.version} with NODE_OPTIONS as deployed`,
          ...rows.map(
            (row) =>
              `  ${row.step.padEnd(16)} ${row.kib.toFixed(0).padStart(6)} KiB ${row.ms.toFixed(0).padStart(6)} ms`,
          ),
        ].join('\n'),
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
