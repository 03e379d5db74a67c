import { Metrics } from '@aws-lambda-powertools/metrics';
import { ec2Client, s3Client } from '../../lambdas/commons/clients';
import {
  copyRegionsEnv,
  copyVolumeTagsEnv,
  oneOfEnv,
  ownRegion,
  positiveIntegerEnv,
  requireEnv,
} from '../../lambdas/commons/env';
import {
  CONNECTION_TIMEOUT_MS,
  FUNCTION_LIMITS,
  REQUEST_TIMEOUT_MS,
} from '../../lambdas/commons/function-limits';
import { DEFAULT_PRE_SCRIPT_FAILURE, PRE_SCRIPT_FAILURE_ACTIONS } from '../../lambdas/contracts/sets';
import * as awaitCopies from '../../lambdas/handlers/await-copies';
import * as awaitSnapshots from '../../lambdas/handlers/await-snapshots';
import * as copySnapshot from '../../lambdas/handlers/copy-snapshot';
import * as createSnapshot from '../../lambdas/handlers/create-snapshot';
import * as discover from '../../lambdas/handlers/discover';
import * as prune from '../../lambdas/handlers/prune';
import * as summarise from '../../lambdas/handlers/summarise';
import { BUCKET, givenSteps, MANAGED_BY, rejection } from '../fixtures/steps';

describe('Lambda handlers', () => {
  it('GIVEN a missing variable WHEN read THEN the error names it', () => {
    expect(() => requireEnv('WORK_BUCKET', {})).toThrow('Environment variable WORK_BUCKET is not set');
    expect(() => positiveIntegerEnv('WAIT_LIMIT_SECONDS', { WAIT_LIMIT_SECONDS: '1.5' })).toThrow(
      'Environment variable WAIT_LIMIT_SECONDS must be a whole number of at least 1, got "1.5"',
    );
    expect(positiveIntegerEnv('WAIT_LIMIT_SECONDS', { WAIT_LIMIT_SECONDS: '86400' })).toBe(86400);
  });

  it('GIVEN the copy settings as the construct writes them WHEN read THEN parsed; unset is none; anything else names the variable', () => {
    const regions = [
      { region: 'eu-west-1', kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k' },
      { region: 'us-west-2' },
    ];
    expect(copyRegionsEnv('COPY_REGIONS', { COPY_REGIONS: JSON.stringify(regions) })).toEqual(regions);
    expect(copyRegionsEnv('COPY_REGIONS', {})).toEqual([]);
    expect(copyRegionsEnv('COPY_REGIONS', { COPY_REGIONS: ' ' })).toEqual([]);
    for (const bad of [
      'eu-west-1',
      '[{"region": 1}]',
      '{"region": "eu-west-1"}',
      '[{"region": "eu-west-1", "kmsKeyArn": 7}]',
    ]) {
      expect(() => copyRegionsEnv('COPY_REGIONS', { COPY_REGIONS: bad })).toThrow(
        `Environment variable COPY_REGIONS must be a JSON array of {"region": string, "kmsKeyArn"?: string}, got "${bad}"`,
      );
    }
    expect(copyVolumeTagsEnv('COPY_VOLUME_TAGS', { COPY_VOLUME_TAGS: '"*"' })).toBe('*');
    expect(copyVolumeTagsEnv('COPY_VOLUME_TAGS', { COPY_VOLUME_TAGS: '["CostCenter","Owner"]' })).toEqual([
      'CostCenter',
      'Owner',
    ]);
    expect(copyVolumeTagsEnv('COPY_VOLUME_TAGS', {})).toEqual([]);
    for (const bad of ['*', '[1]', '"Owner"']) {
      expect(() => copyVolumeTagsEnv('COPY_VOLUME_TAGS', { COPY_VOLUME_TAGS: bad })).toThrow(
        `Environment variable COPY_VOLUME_TAGS must be JSON "*" or an array of tag keys, got "${bad}"`,
      );
    }
    expect(ownRegion({ AWS_REGION: 'us-east-1' })).toBe('us-east-1');
    expect(() => ownRegion({})).toThrow('Environment variable AWS_REGION is not set');
  });

  it('GIVEN the pre-script setting as the construct writes it WHEN read THEN one of the actions; unset is the default; anything else names the variable and the values', () => {
    const read = (value?: string) =>
      oneOfEnv('PRE_SCRIPT_FAILURE', PRE_SCRIPT_FAILURE_ACTIONS, DEFAULT_PRE_SCRIPT_FAILURE, {
        ...(value !== undefined && { PRE_SCRIPT_FAILURE: value }),
      });
    expect(read('skip')).toBe('skip');
    expect(read('crash-consistent')).toBe('crash-consistent');
    expect(read()).toBe('crash-consistent');
    expect(read(' ')).toBe('crash-consistent');
    for (const bad of ['Skip', ' skip', 'fail']) {
      expect(() => read(bad)).toThrow(
        `Environment variable PRE_SCRIPT_FAILURE must be one of crash-consistent, skip, got "${bad}"`,
      );
    }
  });

  it('GIVEN the deployed entry points WHEN imported THEN each exports a handler and reads nothing yet', () => {
    for (const module of [
      discover,
      createSnapshot,
      awaitSnapshots,
      copySnapshot,
      awaitCopies,
      prune,
      summarise,
    ]) {
      expect(typeof module.handler).toBe('function');
    }
  });

  it('GIVEN no environment WHEN the deployed handler is invoked THEN it fails naming the variable', async () => {
    const saved = process.env.MANAGED_BY;
    delete process.env.MANAGED_BY;
    try {
      const error = await rejection(Promise.resolve().then(() => prune.handler({})));
      expect(error.message).toContain('MANAGED_BY');
    } finally {
      if (saved !== undefined) process.env.MANAGED_BY = saved;
    }
  });

  it.each([
    [{}, 'volume: must be a work item'],
    [
      { volume: { volumeId: 'vol-1', description: 'd', generations: 0 }, executionName: 'x' },
      'volume.generations',
    ],
    [{ volume: { volumeId: 'vol-1', description: 'd', generations: 2 } }, 'executionName'],
  ])(
    'GIVEN a malformed work item %j WHEN a fan-out handler runs THEN InvalidInput names the field',
    async (event, field) => {
      const { ec2, ec2In, region, s3 } = givenSteps();
      const handlers: ((event: unknown) => Promise<unknown>)[] = [
        createSnapshot.createHandler({ ec2, managedBy: MANAGED_BY }),
        prune.createHandler({ ec2, ec2In, s3, bucket: BUCKET, region, managedBy: MANAGED_BY, now: () => 0 }),
      ];
      for (const handler of handlers) {
        const error = await rejection(Promise.resolve().then(() => handler(event)));
        expect(error.name).toBe('InvalidInput');
        expect(error.message).toContain(field);
      }
    },
  );

  const copy = {
    volumeId: 'vol-1',
    description: 'Auto Snapshot vol-1',
    generations: 2,
    region: 'eu-west-1',
    copyGenerations: 3,
    source: { snapshotId: 'snap-1', startTime: 0, region: 'us-east-1', encrypted: false },
  };
  it.each([
    [{}, 'copy: must be a copy work item'],
    [{ copy: { ...copy, instanceId: 7 } }, 'copy.instanceId'],
    [{ copy: { ...copy, region: '' } }, 'copy.region'],
    [{ copy: { ...copy, copyGenerations: 1001 } }, 'copy.copyGenerations'],
    [{ copy: { ...copy, copyGenerations: undefined } }, 'copy.copyGenerations'],
    [{ copy: { ...copy, source: { ...copy.source, encrypted: 'yes' } } }, 'copy.source'],
    [{ copy: { ...copy, source: undefined } }, 'copy.source'],
    [{ copy: { ...copy, carriedTags: { team: 1 } } }, 'copy.carriedTags'],
    [{ copy }, 'executionName'],
    [{ copy, executionName: 'run-1' }, 'runId'],
  ])(
    'GIVEN a malformed copy task %j WHEN CopySnapshot runs THEN InvalidInput names the field',
    async (event, field) => {
      const { ec2In, region } = givenSteps();
      const handler = copySnapshot.createHandler({ ec2In, region, copyRegions: [], managedBy: MANAGED_BY });
      const error = await rejection(Promise.resolve().then(() => handler(event)));
      expect(error.name).toBe('InvalidInput');
      expect(error.message).toContain(field);
    },
  );

  it.each([
    [{}, 'executionName'],
    [{ executionName: 'run-1', runId: 'k' }, 'copyItems'],
    [{ executionName: 'run-1', runId: 'k', copyItems: { bucket: 'b', key: 'k' } }, 'copyRun'],
  ])('GIVEN %j WHEN AwaitCopies runs THEN InvalidInput names the field', async (event, field) => {
    const { ec2In, s3, region } = givenSteps();
    const handler = awaitCopies.createHandler({
      ec2In,
      s3,
      bucket: 'work',
      managedBy: MANAGED_BY,
      region,
      copyWaitLimitSeconds: 60,
      now: () => 0,
    });
    const error = await rejection(Promise.resolve().then(() => handler(event)));
    expect(error).toMatchObject({ name: 'InvalidInput', message: expect.stringContaining(field) });
  });

  it('GIVEN no execution name WHEN AwaitSnapshots runs THEN InvalidInput names it', async () => {
    const { ec2, s3 } = givenSteps();
    const handler = awaitSnapshots.createHandler({
      ec2,
      s3,
      bucket: 'work',
      managedBy: MANAGED_BY,
      waitLimitSeconds: 60,
      copyRegions: [],
      region: 'us-east-1',
      now: () => 0,
    });
    const error = await rejection(Promise.resolve().then(() => handler({})));
    expect(error).toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('executionName') });
  });
});

describe('SDK clients of the functions', () => {
  it('GIVEN a client WHEN built THEN every request has a timeout, and CreateSnapshot is never retried by the SDK', async () => {
    for (const client of [ec2Client(), ec2Client({ retryInSdk: false }), s3Client()]) {
      // The handler resolves its options on first use; its provider is what a request would use.
      const handler = client.config.requestHandler as unknown as { configProvider: Promise<object> };
      expect(await handler.configProvider).toMatchObject({
        requestTimeout: REQUEST_TIMEOUT_MS,
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        // Without it the SDK only warns when the timeout passes, and waits on.
        throwOnRequestTimeout: true,
      });
    }
    expect(await ec2Client({ retryInSdk: false }).config.maxAttempts()).toBe(1);
    expect(REQUEST_TIMEOUT_MS).toBeLessThan(FUNCTION_LIMITS.createSnapshot.timeoutSeconds * 1000);
  });
});

describe('CopySnapshot handler: CopiesCreated', () => {
  afterEach(() => jest.restoreAllMocks());

  it('GIVEN a copy made, then the same copy found again by ConfirmCopy THEN it is counted once', async () => {
    const added = jest.spyOn(Metrics.prototype, 'addMetric');
    const { sim, ec2In, region } = givenSteps();
    const { volumeIds } = sim.addInstance({ volumes: [{}] });
    const event = {
      copy: {
        volumeId: volumeIds[0],
        description: `Auto Snapshot ${volumeIds[0]}`,
        generations: 2,
        region: 'eu-west-1',
        copyGenerations: 1,
        source: {
          snapshotId: sim.addSnapshot({ volumeId: volumeIds[0] }),
          startTime: 0,
          region,
          encrypted: false,
        },
      },
      executionName: 'run-1',
      runId: 'run-1-key',
    };
    const handler = copySnapshot.createHandler({ ec2In, region, copyRegions: [], managedBy: MANAGED_BY });
    await handler(event);
    await handler({ ...event, confirmSince: new Date().toISOString() });
    expect(added.mock.calls.filter(([name]) => name === 'CopiesCreated')).toEqual([
      ['CopiesCreated', 'Count', 1],
    ]);
  });
});
