import fc from 'fast-check';
import { DEFAULT_STACK_NAME } from '../../lambdas/contracts/deployment';
import { snapshotTags } from '../../lambdas/core/snapshot-tags';
import { pruneVolume } from '../../lambdas/steps/prune-volume';
import type { SimulatedEc2 } from '../../local/simulated-account';
import { givenCli } from '../fixtures/cli';
import { task, workItem } from '../fixtures/steps';

// What `generations` says the next successful backup deletes is what the prune step deletes
// once that backup's snapshot has completed (SPEC §3.2, §3.4): the new snapshot counts toward N.

const TAG = 'Backup-Generation';
const HOUR = 3_600_000;
const RUN = 'next-run';

interface VolumeDoc {
  volumeId: string;
  generations: number | null;
  completed: number;
  status: string;
  remark: string;
  deletesNext: string[];
}

interface Report {
  instances: { volumes: VolumeDoc[] }[];
}

/** A snapshot of the volume as the workflow tags it; `runId` names the run that made it. */
function backup(
  sim: SimulatedEc2,
  volumeId: string,
  startTime: number,
  state: 'completed' | 'pending' | 'error',
  runId: string,
): string {
  return sim.addSnapshot({
    volumeId,
    startTime,
    state,
    tags: Object.fromEntries(
      snapshotTags({
        managedBy: DEFAULT_STACK_NAME,
        executionName: runId,
        runId,
        volumeId,
        generations: 1,
      }).map((t) => [t.Key, t.Value]),
    ),
  });
}

/** An instance tagged N whose one volume has the given earlier backups (hours ago, state). */
function givenVolume(
  n: number,
  earlier: readonly { hoursAgo: number; state: 'completed' | 'pending' | 'error' }[],
) {
  const cli = givenCli();
  const now = cli.clock.now();
  const instance = cli.sim.addInstance({ name: 'web', tags: { [TAG]: String(n) } });
  const [volumeId] = instance.volumeIds;
  const ids = earlier.map((s, i) =>
    backup(cli.sim, volumeId, now - s.hoursAgo * HOUR, s.state, `earlier-${i}`),
  );
  return { cli, volumeId, ids };
}

async function generationsOf(cli: ReturnType<typeof givenCli>, volumeId: string): Promise<VolumeDoc> {
  const result = await cli.run('generations', '--json', '--no-copies');
  expect(result.stderr).toBe('');
  const found = result
    .json<Report>()
    .instances.flatMap((i) => i.volumes)
    .find((v) => v.volumeId === volumeId);
  if (!found) throw new Error(`${volumeId} is not in the report`);
  return found;
}

/** The next run: its snapshot of the volume completes an hour later, then the prune step runs. */
async function nextRunDeletes(cli: ReturnType<typeof givenCli>, volumeId: string, n: number) {
  cli.clock.advance(HOUR);
  backup(cli.sim, volumeId, cli.clock.now(), 'completed', `${RUN}-key`);
  const result = await pruneVolume(
    {
      ec2: cli.ec2,
      ec2In: () => {
        throw new Error('no copy region here');
      },
      region: 'us-east-1',
      managedBy: DEFAULT_STACK_NAME,
      now: cli.clock.now,
    },
    task(workItem(volumeId, n), RUN),
  );
  expect(result.more).toBe(false);
  return result.deleted;
}

describe('ebs-backup generations: what the next successful backup deletes (SPEC §3)', () => {
  it('GIVEN N=3 and 5 completed WHEN listed THEN over N by 2 and the next backup deletes the oldest 3, as the prune step then does', async () => {
    const hours = [5, 4, 3, 2, 1].map((d) => d * 24);
    const { cli, volumeId, ids } = givenVolume(
      3,
      hours.map((hoursAgo) => ({ hoursAgo, state: 'completed' as const })),
    );

    const listed = await generationsOf(cli, volumeId);

    expect(listed).toMatchObject({ generations: 3, completed: 5, status: 'over-n' });
    expect(listed.remark).toBe(
      'over N by 2: the next successful backup deletes the oldest 3, unless EC2 refuses because it is in use (e.g. by an AMI)',
    );
    // Newest first, as retention orders them.
    expect(listed.deletesNext).toEqual([ids[2], ids[1], ids[0]]);
    const plan = await cli.run('plan', '--json');
    expect(plan.json<{ volumes: { deleteCount: number }[] }>().volumes[0].deleteCount).toBe(3);
    expect(await nextRunDeletes(cli, volumeId, 3)).toEqual(listed.deletesNext);
  });

  it('GIVEN exactly N completed WHEN listed THEN = N, and the next backup deletes the oldest one', async () => {
    const { cli, volumeId, ids } = givenVolume(2, [
      { hoursAgo: 48, state: 'completed' },
      { hoursAgo: 24, state: 'completed' },
    ]);

    const listed = await generationsOf(cli, volumeId);

    expect(listed).toMatchObject({ completed: 2, status: 'at-n', deletesNext: [ids[0]] });
    expect(listed.remark).toBe(
      '= N: the next successful backup deletes the oldest, unless EC2 refuses because it is in use (e.g. by an AMI)',
    );
    expect(await nextRunDeletes(cli, volumeId, 2)).toEqual([ids[0]]);
  });

  it('GIVEN under N WHEN listed THEN the next backup deletes nothing completed; an error snapshot is deleted all the same', async () => {
    const { cli, volumeId, ids } = givenVolume(3, [
      { hoursAgo: 30, state: 'error' },
      { hoursAgo: 24, state: 'completed' },
      { hoursAgo: 1, state: 'pending' },
    ]);

    const listed = await generationsOf(cli, volumeId);

    expect(listed).toMatchObject({ completed: 1, status: 'under-n', deletesNext: [ids[0]] });
    expect(listed.remark).toMatch(/^under N by 2: one more with each successful backup; /);
  });

  it('PROPERTY: for any family and N, generations’ deletesNext is what the prune step deletes after one more completed snapshot', async () => {
    const state = fc.constantFrom('completed', 'completed', 'completed', 'pending', 'error');
    const family = fc.array(fc.record({ hoursAgo: fc.integer({ min: 1, max: 20 }), state }), {
      maxLength: 12,
    });
    await fc.assert(
      fc.asyncProperty(family, fc.integer({ min: 1, max: 6 }), async (earlier, n) => {
        const { cli, volumeId } = givenVolume(n, earlier);
        const listed = await generationsOf(cli, volumeId);
        const deleted = await nextRunDeletes(cli, volumeId, n);
        expect([...listed.deletesNext].sort()).toEqual([...deleted].sort());
        // The words agree with the figure: the completed ones it names are the oldest beyond N.
        const completedGone = deleted.length - earlier.filter((s) => s.state === 'error').length;
        expect(completedGone).toBe(Math.max(0, listed.completed + 1 - n));
      }),
      { numRuns: 60 },
    );
  });
});
