import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { bundledFunction, FUNCTION_RUNTIME } from '../../infra/functions';
import { outdir } from '../fixtures/infra';

/**
 * The one test that really bundles (about a second): GIVEN the default function factory, WHEN a
 * handler is bundled with the local esbuild, THEN error class names survive minification (Step
 * Functions matches them), the SDK is inside the bundle and source maps are on.
 */
const app = new App({ outdir: outdir() });
const stack = new Stack(app, 'Bundling');
const fn = bundledFunction(stack, 'CreateSnapshot', {
  entry: join(__dirname, '..', '..', 'lambdas', 'handlers', 'create-snapshot.ts'),
  runtime: FUNCTION_RUNTIME,
  architecture: lambda.Architecture.ARM_64,
});
const assembly = app.synth();
const template = Template.fromStack(stack);
const code =
  template.findResources('AWS::Lambda::Function')[
    stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)
  ].Properties.Code;
const assetDir = join(assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
const bundle = readFileSync(join(assetDir, 'index.js'), 'utf8');

describe('bundled functions', () => {
  test('keep the names of the error classes thrown to Step Functions', () => {
    const names = ['SnapshotRateExceededError', 'Ec2ThrottledError', 'Ec2TransientError'];
    expect(names.filter((name) => !bundle.includes(`"${name}"`))).toEqual([]);
  });

  test('are minified, with the AWS SDK bundled rather than taken from the runtime', () => {
    const lines = bundle.split('\n').length;
    expect(bundle.length / lines).toBeGreaterThan(1000);
    // Only the SDK's optional CRT signer is left to a (guarded) require.
    expect(bundle.match(/require\("@aws-sdk\/[^"]+"\)/g) ?? []).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/client-/)]),
    );
    expect(bundle.includes('"CreateSnapshotCommand"')).toBe(true);
  });

  test('ship a source map and turn source maps on', () => {
    expect(readFileSync(join(assetDir, 'index.js.map'), 'utf8')).toContain('create-snapshot.ts');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
  });
});
