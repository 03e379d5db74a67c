import {
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type Filter,
} from '@aws-sdk/client-ec2';
import { ec2ErrorFrom, givenAccount } from '../fixtures/account';

const MARKER = { Name: 'tag:Backup-Managed-By', Values: ['Stack'] };

/** One tagged and one untagged instance, and one own marked snapshot among many unmarked ones. */
function givenMixedAccount(ignoreTagFilters: boolean) {
  const setup = givenAccount({ ignoreTagFilters });
  const { sim } = setup;
  const tagged = sim.addInstance({ tags: { 'Backup-Generation': '3' }, volumes: [{ tags: { Role: 'db' } }] });
  const untagged = sim.addInstance({ state: 'stopped' });
  const volumeId = tagged.volumeIds[0];
  // Few marked snapshots among many, so the snapshot index would answer the marker filter alone.
  const marked = sim.addSnapshot({ volumeId, tags: { 'Backup-Managed-By': 'Stack' } });
  const unmarked = Array.from({ length: 5 }, () => sim.addSnapshot({ volumeId }));
  const foreign = sim.addSnapshot({
    volumeId,
    ownerId: '210987654321',
    tags: { 'Backup-Managed-By': 'Stack' },
  });
  return { ...setup, tagged, untagged, marked, unmarked, foreign };
}

async function snapshotIds(setup: ReturnType<typeof givenMixedAccount>, filters: Filter[], ids?: string[]) {
  const answer = await setup.ec2.send(
    new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: filters, SnapshotIds: ids }),
  );
  return (answer.Snapshots ?? []).map((snapshot) => snapshot.SnapshotId).sort();
}

describe('an endpoint that ignores tag filters (ignoreTagFilters)', () => {
  test('GIVEN tag:<key> on DescribeInstances WHEN the option is on THEN every instance comes back; off THEN only the tagged one', async () => {
    const filters = [{ Name: 'tag:Backup-Generation', Values: ['3'] }];
    const idsOf = async (setup: ReturnType<typeof givenMixedAccount>) =>
      ((await setup.ec2.send(new DescribeInstancesCommand({ Filters: filters }))).Reservations ?? [])
        .flatMap((reservation) => reservation.Instances ?? [])
        .map((instance) => instance.InstanceId)
        .sort();
    const ignoring = givenMixedAccount(true);
    const faithful = givenMixedAccount(false);

    expect(await idsOf(ignoring)).toEqual([ignoring.tagged.instanceId, ignoring.untagged.instanceId].sort());
    expect(await idsOf(faithful)).toEqual([faithful.tagged.instanceId]);
  });

  test('GIVEN tag-key and a state filter on DescribeInstances WHEN the option is on THEN the state filter still applies', async () => {
    const setup = givenMixedAccount(true);

    const answer = await setup.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag-key', Values: ['Backup-Generation'] },
          { Name: 'instance-state-name', Values: ['stopped'] },
        ],
      }),
    );

    expect(answer.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toEqual([
      setup.untagged.instanceId,
    ]);
  });

  test('GIVEN tag filters on DescribeVolumes WHEN the option is on THEN they are ignored but volume-id still applies', async () => {
    const setup = givenMixedAccount(true);
    const tagOnly = [{ Name: 'tag:Role', Values: ['db'] }];

    const all = await setup.ec2.send(new DescribeVolumesCommand({ Filters: tagOnly }));
    const narrowed = await setup.ec2.send(
      new DescribeVolumesCommand({
        Filters: [...tagOnly, { Name: 'volume-id', Values: [setup.untagged.volumeIds[0]] }],
      }),
    );

    expect(all.Volumes).toHaveLength(2);
    expect(narrowed.Volumes?.map((volume) => volume.VolumeId)).toEqual([setup.untagged.volumeIds[0]]);
  });

  test('GIVEN a marker filter the snapshot index could answer WHEN the option is on THEN every own snapshot comes back, foreign ones still excluded by OwnerIds', async () => {
    const ignoring = givenMixedAccount(true);
    const faithful = givenMixedAccount(false);

    expect(await snapshotIds(ignoring, [MARKER])).toEqual([ignoring.marked, ...ignoring.unmarked].sort());
    expect(await snapshotIds(faithful, [MARKER])).toEqual([faithful.marked]);
  });

  test('GIVEN tag filters and SnapshotIds WHEN the option is on THEN the ids still restrict the answer', async () => {
    const setup = givenMixedAccount(true);

    const ids = await snapshotIds(
      setup,
      [MARKER, { Name: 'tag-key', Values: ['Backup-Managed-By'] }],
      [setup.unmarked[0]],
    );

    expect(ids).toEqual([setup.unmarked[0]]);
  });

  test('GIVEN a malformed tag filter WHEN the option is on THEN it is still refused', async () => {
    const setup = givenMixedAccount(true);

    const error = await ec2ErrorFrom(
      setup.ec2.send(
        new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:Backup-Managed-By', Values: [] }] }),
      ),
    );

    expect(error.name).toBe('InvalidParameterValue');
  });
});
