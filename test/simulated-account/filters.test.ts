import {
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type Filter,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import fc from 'fast-check';
import { wildcardPattern } from '../../local/simulated-account/ec2-filters';
import { collect, ec2ErrorFrom, givenAccount } from '../fixtures/account';

function givenTaggedFleet() {
  const setup = givenAccount({ maxPageSize: 5 });
  const { sim } = setup;
  const ids = {
    web3: sim.addInstance({ name: 'web-1', tags: { 'Backup-Generation': '3' } }).instanceId,
    web0: sim.addInstance({ name: 'web-2', tags: { 'Backup-Generation': '0' } }).instanceId,
    db12: sim.addInstance({ name: 'db-1', tags: { 'Backup-Generation': '12' } }).instanceId,
    untagged: sim.addInstance({ name: 'batch' }).instanceId,
    stopped: sim.addInstance({ name: 'web-9', tags: { 'Backup-Generation': '3' }, state: 'stopped' })
      .instanceId,
    literal: sim.addInstance({ name: 'web-*', tags: { 'Backup-Generation': '' } }).instanceId,
  };
  return { ...setup, ids };
}

async function instanceIdsMatching(setup: ReturnType<typeof givenTaggedFleet>, filters: Filter[]) {
  const instances = await collect(
    paginateDescribeInstances({ client: setup.ec2 }, { Filters: filters }),
    (page) => page.Reservations?.flatMap((reservation) => reservation.Instances ?? []),
  );
  return instances.map((instance) => instance.InstanceId).sort();
}

describe('EC2 filters', () => {
  test('GIVEN tagged instances WHEN filtering by tag:<key> THEN only exact value matches come back', async () => {
    const setup = givenTaggedFleet();

    const ids = await instanceIdsMatching(setup, [{ Name: 'tag:Backup-Generation', Values: ['3'] }]);

    expect(ids).toEqual([setup.ids.web3, setup.ids.stopped].sort());
  });

  test('GIVEN tagged instances WHEN filtering by tag-key THEN every instance carrying the key comes back, whatever its value', async () => {
    const setup = givenTaggedFleet();

    const ids = await instanceIdsMatching(setup, [{ Name: 'tag-key', Values: ['Backup-Generation'] }]);

    expect(ids).toEqual(
      [setup.ids.web3, setup.ids.web0, setup.ids.db12, setup.ids.stopped, setup.ids.literal].sort(),
    );
  });

  test('GIVEN values of one filter WHEN several are given THEN they are ORed; GIVEN several filters THEN they are ANDed', async () => {
    const setup = givenTaggedFleet();

    const either = await instanceIdsMatching(setup, [{ Name: 'tag:Backup-Generation', Values: ['0', '12'] }]);
    const both = await instanceIdsMatching(setup, [
      { Name: 'tag:Backup-Generation', Values: ['3'] },
      { Name: 'instance-state-name', Values: ['running', 'pending'] },
    ]);

    expect(either).toEqual([setup.ids.web0, setup.ids.db12].sort());
    expect(both).toEqual([setup.ids.web3]);
  });

  test('GIVEN wildcards WHEN filtering THEN * is any run, ? is one character and \\* is a literal star', async () => {
    const setup = givenTaggedFleet();

    const star = await instanceIdsMatching(setup, [{ Name: 'tag:Name', Values: ['web-*'] }]);
    const question = await instanceIdsMatching(setup, [{ Name: 'tag:Backup-Generation', Values: ['?'] }]);
    const escaped = await instanceIdsMatching(setup, [{ Name: 'tag:Name', Values: ['web-\\*'] }]);

    expect(star).toEqual([setup.ids.web3, setup.ids.web0, setup.ids.stopped, setup.ids.literal].sort());
    expect(question).toEqual([setup.ids.web3, setup.ids.web0, setup.ids.stopped].sort());
    expect(escaped).toEqual([setup.ids.literal]);
  });

  test('GIVEN a misspelt filter name WHEN describing THEN InvalidParameterValue names it instead of matching everything', async () => {
    const { ec2 } = givenTaggedFleet();

    const error = await ec2ErrorFrom(
      ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state', Values: ['running'] }] })),
    );

    expect(error.name).toBe('InvalidParameterValue');
    expect(error.message).toContain("'instance-state'");
  });

  test('GIVEN a filter valid for instances WHEN used on snapshots THEN it is rejected there', async () => {
    const { ec2 } = givenTaggedFleet();

    const error = await ec2ErrorFrom(
      ec2.send(
        new DescribeSnapshotsCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }),
      ),
    );

    expect(error.name).toBe('InvalidParameterValue');
  });

  test('GIVEN 200 values WHEN filtering THEN accepted; GIVEN 201 THEN FilterLimitExceeded', async () => {
    const { ec2, ids } = givenTaggedFleet();
    const values = (count: number) => [ids.web3, ...Array.from({ length: count - 1 }, (_, i) => `i-${i}`)];

    const accepted = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: values(200) }] }),
    );
    const error = await ec2ErrorFrom(
      ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: values(201) }] })),
    );

    expect(accepted.Reservations?.map((reservation) => reservation.Instances?.[0].InstanceId)).toEqual([
      ids.web3,
    ]);
    expect(error.name).toBe('FilterLimitExceeded');
  });

  test('GIVEN a filter without values WHEN describing THEN it is refused rather than ignored', async () => {
    const { ec2 } = givenTaggedFleet();

    const error = await ec2ErrorFrom(
      ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag-key', Values: [] }] })),
    );

    expect(error.name).toBe('InvalidParameterValue');
  });

  test('GIVEN volumes on two instances WHEN filtering by attachment.instance-id and status THEN only that instance’s volumes come back', async () => {
    const { ec2, sim } = givenAccount();
    const target = sim.addInstance({ volumes: [{}, {}] });
    sim.addInstance({ volumes: [{}] });
    sim.addVolume({});

    const attached = await ec2.send(
      new DescribeVolumesCommand({
        Filters: [{ Name: 'attachment.instance-id', Values: [target.instanceId] }],
      }),
    );
    const available = await ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'status', Values: ['available'] }] }),
    );

    expect(attached.Volumes?.map((volume) => volume.VolumeId).sort()).toEqual([...target.volumeIds].sort());
    expect(available.Volumes).toHaveLength(1);
  });

  test('GIVEN snapshots WHEN filtering by description wildcard, volume-id, status and tag THEN EC2 semantics apply', async () => {
    const { ec2, sim } = givenAccount();
    const [volumeId] = sim.addInstance().volumeIds;
    const managed = sim.addSnapshot({
      volumeId,
      description: `Auto Snapshot ${volumeId}(web)`,
      tags: { 'Backup-Managed-By': 'stack' },
    });
    const legacy = sim.addSnapshot({ volumeId, description: `Auto Snapshot ${volumeId}(old-name)` });
    sim.addSnapshot({ volumeId, description: 'my manual copy', state: 'error' });

    const byDescription = await ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: 'description', Values: [`Auto Snapshot ${volumeId}*`] },
          { Name: 'volume-id', Values: [volumeId] },
          { Name: 'status', Values: ['completed'] },
        ],
      }),
    );
    const byTag = await ec2.send(
      new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:Backup-Managed-By', Values: ['stack'] }] }),
    );

    expect(byDescription.Snapshots?.map((snapshot) => snapshot.SnapshotId).sort()).toEqual(
      [managed, legacy].sort(),
    );
    expect(byTag.Snapshots?.map((snapshot) => snapshot.SnapshotId)).toEqual([managed]);
  });

  test('GIVEN any value without wildcard characters WHEN used as a pattern THEN it matches itself and nothing longer', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const literal = text.replace(/[*?\\]/g, '\\$&');
        expect(wildcardPattern(literal).test(text)).toBe(true);
        expect(wildcardPattern(literal).test(`${text}x`)).toBe(false);
      }),
    );
  });
});
