import { DeleteSnapshotCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { PruneWorkItem } from '../../lambdas/contracts/work-items';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { pruneVolume } from '../../lambdas/steps/prune-volume';
import { deploymentsOf, principalOf, snapshotArn } from '../fixtures/iam-deployment';
import { evaluate } from '../fixtures/iam-engine';
import { givenSteps, MANAGED_BY, REGION, task, workItem } from '../fixtures/steps';
import { ACCOUNT } from '../fixtures/variants';

/**
 * The prune step never needs a deletion its role refuses (SPEC §3.1, §8.1, §10.4). GIVEN a
 * deployment in us-east-1 keeping copies in eu-west-1, and, under the same marker and for the
 * same volume ID, what a deployment in eu-west-1 keeps in both regions (mutual DR), WHEN the
 * step prunes the volume's own family and its copy family to one generation, THEN it deleted
 * in both regions, and every DeleteSnapshot it sent is allowed by the synthesized role's
 * policy, evaluated with the tags the snapshot had.
 */
const COPY_REGION = 'eu-west-1';
const T0 = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;

const [deployment] = deploymentsOf({
  name: 'us-east-1 copying to eu-west-1',
  context: { regions: REGION, copyRegions: COPY_REGION, managedBy: MANAGED_BY },
  options: { defaultEnv: { account: ACCOUNT } },
});

/**
 * Records each DeleteSnapshot a client sends, with its region. The simulated account answers
 * `send` itself (no SDK middleware runs), so the recording wraps `send`.
 */
function recordDeletions(client: EC2Client, region: string, sent: { region: string; snapshotId: string }[]) {
  const send = client.send.bind(client) as (command: object) => Promise<unknown>;
  (client as { send: unknown }).send = (command: object) => {
    if (command instanceof DeleteSnapshotCommand)
      sent.push({ region, snapshotId: command.input.SnapshotId ?? '' });
    return send(command);
  };
}

test('every deletion the prune step sends, home and copy region, is one IAM allows it', async () => {
  const steps = givenSteps();
  const { volumeIds } = steps.sim.addInstance({ name: 'web', volumes: [{}] });
  const volume: PruneWorkItem = workItem(volumeIds[0], 1);
  const tagsBy = new Map<string, Record<string, string>>();
  const add = (region: string, day: number, extra: Record<string, string> = {}, managedBy = MANAGED_BY) => {
    const tags = {
      [SnapshotTag.managedBy]: managedBy,
      [SnapshotTag.volumeId]: volume.volumeId,
      [SnapshotTag.runId]: `run-${day}-key`,
      ...extra,
    };
    const id = steps.account.ec2In(region).addSnapshot({
      volumeId: volume.volumeId,
      description: volume.description,
      startTime: T0 + day * DAY,
      tags,
    });
    tagsBy.set(id, tags);
    return id;
  };
  const copyFrom = (sourceRegion: string) => ({
    [SnapshotTag.sourceRegion]: sourceRegion,
    [SnapshotTag.sourceSnapshotId]: 'snap-source',
  });
  // This deployment's snapshots at home and its copies in the copy region, days 1 to 3.
  for (const day of [1, 2, 3]) {
    add(REGION, day);
    add(COPY_REGION, day, copyFrom(REGION));
  }
  // The eu-west-1 deployment's under the same marker: its snapshots there, its copies here.
  for (const day of [0, 4]) {
    add(COPY_REGION, day);
    add(REGION, day, copyFrom(COPY_REGION));
  }
  const sent: { region: string; snapshotId: string }[] = [];
  recordDeletions(steps.ec2, REGION, sent);
  recordDeletions(steps.ec2In(COPY_REGION), COPY_REGION, sent);
  const deps = {
    ec2: steps.ec2,
    ec2In: steps.ec2In,
    region: REGION,
    managedBy: MANAGED_BY,
    now: steps.clock.now,
  };

  await pruneVolume(deps, task(volume, 'run-3'));
  await pruneVolume(deps, task({ ...volume, region: COPY_REGION }, 'run-3'));

  expect(sent.map(({ region }) => region).sort()).toEqual([REGION, REGION, COPY_REGION, COPY_REGION].sort());
  const { principal, policies } = principalOf(deployment, 'prune');
  const decisions = await Promise.all(
    sent.map(({ region, snapshotId }) =>
      evaluate(principal, policies, {
        action: 'ec2:DeleteSnapshot',
        resource: snapshotArn(region, snapshotId),
        resourceTags: tagsBy.get(snapshotId),
      }),
    ),
  );
  expect(decisions).toEqual(sent.map(() => 'allow'));
});
