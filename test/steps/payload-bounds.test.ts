import { putJson } from '../../lambdas/aws/json-store';
import type { ChildExecutionResult } from '../../lambdas/contracts/map-run';
import { summarise } from '../../lambdas/steps/summarise';
import { BUCKET, givenDiscover, givenSteps, workItem } from '../fixtures/steps';

/** Step Functions refuses a state payload above 256 KiB (SPEC §4, scale). */
const MAX_PAYLOAD_BYTES = 256 * 1024;
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('state payloads stay bounded whatever the fleet size (SPEC §4)', () => {
  it('GIVEN 3,000 instances with 256-character invalid tag values WHEN discovered THEN the output stays small', async () => {
    const { sim, run } = givenDiscover();
    for (let i = 0; i < 3000; i++) {
      sim.addInstance({
        name: 'n'.repeat(200),
        tags: { 'Backup-Generation': 'x'.repeat(256) },
        volumes: [{}],
      });
    }
    const output = await run();
    expect(output.counts.invalid).toBe(3000);
    expect(bytes(output)).toBeLessThan(MAX_PAYLOAD_BYTES / 8);
  });

  it('GIVEN 10,000 failed volumes WHEN summarised THEN the output, cause included, stays small', async () => {
    const { s3 } = givenSteps();
    const items = Array.from({ length: 10_000 }, (_, i) =>
      workItem(`vol-${String(i).padStart(17, '0')}`, 3, 'x'.repeat(200)),
    );
    const failed: ChildExecutionResult[] = items.map((volume) => ({
      Status: 'FAILED',
      Input: JSON.stringify({ volume, executionName: 'run-1' }),
      Error: 'Ec2Throttled',
      Cause: JSON.stringify({
        errorType: 'Ec2Throttled',
        errorMessage: 'RequestLimitExceeded: Request limit exceeded.',
      }),
    }));
    await putJson(s3, { bucket: BUCKET, key: 'm/FAILED_0.json' }, failed);
    await putJson(
      s3,
      { bucket: BUCKET, key: 'm/manifest.json' },
      { ResultFiles: { FAILED: [{ Key: 'm/FAILED_0.json' }] } },
    );
    await putJson(s3, { bucket: BUCKET, key: 'm/empty.json' }, { ResultFiles: {} });
    const discovery = await putJson(
      s3,
      { bucket: BUCKET, key: 'runs/run-1/discovery.json' },
      { items, invalid: [], skipped: [] },
    );
    const output = await summarise(
      { s3, bucket: BUCKET },
      {
        executionName: 'run-1',
        runId: 'run-1-key',
        dryRun: false,
        items: { bucket: BUCKET, key: 'runs/run-1/volumes.json' },
        discovery,
        snapshotRun: { ResultWriterDetails: { Bucket: BUCKET, Key: 'm/manifest.json' } },
        pruneRun: { ResultWriterDetails: { Bucket: BUCKET, Key: 'm/empty.json' } },
      },
    );
    expect(output.counts.volumesFailed).toBe(10_000);
    expect(output.cause?.length).toBeLessThanOrEqual(32_768);
    expect(output.cause).toMatch(/… and \d+ more$/);
    expect(bytes(output)).toBeLessThan(MAX_PAYLOAD_BYTES / 4);
  });
});
