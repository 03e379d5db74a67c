import {
  CopySnapshotCommand,
  type CopySnapshotRequest,
  CreateSnapshotCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { CONCURRENT_COPY_LIMIT } from '../../lambdas/contracts/deployment';
import {
  connectEc2,
  EC2_DEFAULT_RATE_LIMITS,
  LOST_RESPONSE,
  ManualClock,
  SimulatedAccount,
  SimulatedEc2,
  type SimulatedEc2Options,
} from '../../local/simulated-account';
import { ec2ErrorFrom } from '../fixtures/account';

const SOURCE = 'us-east-1';
const DESTINATION = 'eu-west-1';
const MINUTE = 60_000;
const MARKER = { Key: 'Backup-Managed-By', Value: 'stack' };

/**
 * An account whose home Region (us-east-1) holds a completed snapshot of a 30 GiB volume, and a
 * client of eu-west-1 to copy it there.
 */
function givenSourceSnapshot(
  options: Omit<SimulatedEc2Options, 'now' | 'region'> = {},
  volume: { readonly encrypted?: boolean; readonly kmsKeyId?: string } = {},
) {
  const clock = new ManualClock();
  const account = new SimulatedAccount({ now: clock.now, ec2: options });
  const source = account.ec2;
  const volumeId = source.addVolume({ sizeGiB: 30, ...volume });
  const snapshotId = source.addSnapshot({ volumeId, description: 'the source' });
  const destination = account.ec2In(DESTINATION);
  const client = account.ec2Client(DESTINATION);
  const copy = async (request: Partial<CopySnapshotRequest> = {}) =>
    (
      await client.send(
        new CopySnapshotCommand({ SourceRegion: SOURCE, SourceSnapshotId: snapshotId, ...request }),
      )
    ).SnapshotId as string;
  return { clock, account, source, destination, client, volumeId, snapshotId, copy };
}

async function described(client: EC2Client, snapshotId: string) {
  return (await client.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots?.[0];
}

describe('CopySnapshot, made in the destination Region', () => {
  test('GIVEN a completed snapshot WHEN copied to another Region THEN the copy is there, pending, with vol-ffffffff, the source’s size, its own StartTime and the description asked for; the source Region does not have it', async () => {
    const { clock, account, client, copy } = givenSourceSnapshot();
    clock.advance(3 * MINUTE);

    const copyId = await copy({ Description: 'Auto Snapshot vol-1(web)' });
    const inDestination = await described(client, copyId);
    const inSource = await ec2ErrorFrom(
      account.ec2Client().send(new DescribeSnapshotsCommand({ SnapshotIds: [copyId] })),
    );

    expect(copyId).toMatch(/^snap-[0-9a-f]{17}$/);
    expect(inDestination).toMatchObject({
      SnapshotId: copyId,
      State: 'pending',
      Progress: '0%',
      VolumeId: 'vol-ffffffff',
      VolumeSize: 30,
      StartTime: new Date(clock.now()),
      Description: 'Auto Snapshot vol-1(web)',
      OwnerId: '123456789012',
      Encrypted: false,
    });
    expect(inSource.name).toBe('InvalidSnapshot.NotFound');
  });

  test('GIVEN the default delays WHEN a copy is made THEN it is still pending when a new snapshot would be done (5 min) and completes after 10 min', async () => {
    const { clock, client, copy } = givenSourceSnapshot();

    const copyId = await copy();
    clock.advance(5 * MINUTE);
    const atFive = await described(client, copyId);
    clock.advance(5 * MINUTE - 1);
    const justBefore = await described(client, copyId);
    clock.advance(1);
    const atTen = await described(client, copyId);

    expect(atFive).toMatchObject({ State: 'pending', Progress: '50%' });
    expect(justBefore?.State).toBe('pending');
    expect(atTen).toMatchObject({ State: 'completed', Progress: '100%' });
  });

  test('GIVEN copyCompletionDelayMs WHEN a copy is made THEN it completes after that delay, whatever completionDelayMs says', async () => {
    const { clock, client, copy } = givenSourceSnapshot({
      completionDelayMs: 0,
      copyCompletionDelayMs: 45 * MINUTE,
    });

    const copyId = await copy();
    clock.advance(45 * MINUTE - 1);
    const before = (await described(client, copyId))?.State;
    clock.advance(1);
    const after = (await described(client, copyId))?.State;

    expect([before, after]).toEqual(['pending', 'completed']);
  });

  test('GIVEN TagSpecifications WHEN copying THEN the copy carries them at once (answer, Describe, tag filter) without CreateTags', async () => {
    const { client, destination, snapshotId } = givenSourceSnapshot();
    const tags = [MARKER, { Key: 'Backup-Source-Region', Value: SOURCE }];

    const answer = await client.send(
      new CopySnapshotCommand({
        SourceRegion: SOURCE,
        SourceSnapshotId: snapshotId,
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
      }),
    );
    const byTag = await client.send(
      new DescribeSnapshotsCommand({ Filters: [{ Name: `tag:${MARKER.Key}`, Values: [MARKER.Value] }] }),
    );

    expect(answer.Tags).toEqual(tags);
    expect(byTag.Snapshots?.map((snapshot) => [snapshot.SnapshotId, snapshot.Tags])).toEqual([
      [answer.SnapshotId, tags],
    ]);
    expect(destination.calls().CreateTags.succeeded).toBe(0);
    expect(destination.calls().CopySnapshot.succeeded).toBe(1);
  });
});

describe('CopySnapshot refusals: nothing is made', () => {
  test.each([
    { problem: 'an id no Region has', request: { SourceSnapshotId: 'snap-0000000000000dead' } },
    { problem: 'a Region the account has not used', request: { SourceRegion: 'ap-south-1' } },
    { problem: 'the destination as SourceRegion', request: { SourceRegion: DESTINATION } },
  ])('GIVEN $problem WHEN copying THEN InvalidSnapshot.NotFound', async ({ request }) => {
    const { destination, copy } = givenSourceSnapshot();

    const error = await ec2ErrorFrom(copy(request));

    expect(error.name).toBe('InvalidSnapshot.NotFound');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(destination.allSnapshots()).toEqual([]);
    expect(destination.calls().CopySnapshot).toEqual({ succeeded: 0, throttled: 0, failed: 1 });
  });

  test('GIVEN a source snapshot still pending WHEN copied THEN IncorrectState; once completed THEN copied', async () => {
    const { clock, account, destination, volumeId, copy } = givenSourceSnapshot({
      completionDelayMs: 5 * MINUTE,
    });
    const pending = (await account.ec2Client().send(new CreateSnapshotCommand({ VolumeId: volumeId })))
      .SnapshotId as string;

    const error = await ec2ErrorFrom(copy({ SourceSnapshotId: pending }));
    const madeWhilePending = destination.allSnapshots().length;
    clock.advance(5 * MINUTE);
    const copyId = await copy({ SourceSnapshotId: pending });

    expect(error.name).toBe('IncorrectState');
    expect(error.message).toBe(`Snapshot '${pending}' is not 'completed'.`);
    expect(madeWhilePending).toBe(0);
    expect(destination.snapshot(copyId)?.State).toBe('pending');
  });

  test('GIVEN a source snapshot in error WHEN copied THEN IncorrectState', async () => {
    const { source, volumeId, copy } = givenSourceSnapshot();
    const failed = source.addSnapshot({ volumeId, state: 'error' });

    const error = await ec2ErrorFrom(copy({ SourceSnapshotId: failed }));

    expect(error.name).toBe('IncorrectState');
  });

  test.each([
    { problem: 'no SourceRegion', request: { SourceRegion: undefined }, code: 'MissingParameter' },
    { problem: 'no SourceSnapshotId', request: { SourceSnapshotId: undefined }, code: 'MissingParameter' },
    {
      problem: 'a SourceRegion that is no Region code',
      request: { SourceRegion: 'Virginia' },
      code: 'InvalidRegion',
    },
    {
      problem: 'a description of 256 characters',
      request: { Description: 'x'.repeat(256) },
      code: 'InvalidParameterValue',
    },
    {
      problem: 'TagSpecifications for volumes',
      request: { TagSpecifications: [{ ResourceType: 'volume' as const, Tags: [MARKER] }] },
      code: 'InvalidParameterValue',
    },
    {
      problem: 'a reserved aws: tag key',
      request: {
        TagSpecifications: [{ ResourceType: 'snapshot' as const, Tags: [{ Key: 'aws:x', Value: '1' }] }],
      },
      code: 'InvalidParameterValue',
    },
    { problem: 'DryRun', request: { DryRun: true }, code: 'DryRunOperation' },
  ])('GIVEN $problem WHEN copying THEN $code', async ({ request, code }) => {
    const { destination, copy } = givenSourceSnapshot();

    const error = await ec2ErrorFrom(copy(request));

    expect(error.name).toBe(code);
    expect(destination.allSnapshots()).toEqual([]);
  });
});

describe('concurrent snapshot copies per destination Region', () => {
  test('GIVEN the default limit WHEN 20 copies are pending THEN the 21st gets ResourceLimitExceeded (400) and nothing is made; a copy into another Region still passes', async () => {
    const { account, destination, snapshotId, copy } = givenSourceSnapshot();
    for (let i = 0; i < CONCURRENT_COPY_LIMIT; i++) await copy();

    const error = await ec2ErrorFrom(copy());
    const elsewhere = await account
      .ec2Client('ap-southeast-2')
      .send(new CopySnapshotCommand({ SourceRegion: SOURCE, SourceSnapshotId: snapshotId }));

    expect(CONCURRENT_COPY_LIMIT).toBe(20);
    expect(error.name).toBe('ResourceLimitExceeded');
    expect(error.message).toBe(
      'Too many snapshot copies in progress. The limit is 20 for this destination region.',
    );
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.$fault).toBe('client');
    expect(destination.allSnapshots()).toHaveLength(20);
    expect(destination.calls().CopySnapshot).toEqual({ succeeded: 20, throttled: 0, failed: 1 });
    expect(elsewhere.SnapshotId).toMatch(/^snap-/);
  });

  test('GIVEN the limit reached WHEN one copy completes THEN exactly one more is accepted; when all complete THEN the full limit again', async () => {
    const { clock, destination, copy } = givenSourceSnapshot({ concurrentCopyLimit: 3 });
    const first = await copy();
    clock.advance(MINUTE);
    await copy();
    await copy();

    destination.completeSnapshot(first);
    await copy();
    const stillFull = await ec2ErrorFrom(copy());
    clock.advance(10 * MINUTE);
    for (let i = 0; i < 3; i++) await copy();

    expect(stillFull.name).toBe('ResourceLimitExceeded');
    expect(stillFull.message).toContain('The limit is 3');
    expect(destination.allSnapshots()).toHaveLength(7);
  });

  test('GIVEN copies that end in error or are deleted THEN they free their place; a copy stuck pending keeps it', async () => {
    const { client, clock, destination, volumeId, copy } = givenSourceSnapshot({ concurrentCopyLimit: 2 });
    destination.setSnapshotOutcome(volumeId, 'stuck-pending');
    const stuck = await copy();
    destination.setSnapshotOutcome(volumeId, 'error');
    const failing = await copy();
    const whileBothPending = await ec2ErrorFrom(copy());

    clock.advance(10 * MINUTE);
    const third = await copy();
    const full = await ec2ErrorFrom(copy());
    await client.send(new DeleteSnapshotCommand({ SnapshotId: third }));
    const afterDelete = await copy();

    expect(whileBothPending.name).toBe('ResourceLimitExceeded');
    expect(destination.snapshot(stuck)?.State).toBe('pending');
    expect(destination.snapshot(failing)?.State).toBe('error');
    expect(full.name).toBe('ResourceLimitExceeded');
    expect(afterDelete).toMatch(/^snap-/);
  });
});

describe('encryption of copies', () => {
  test('GIVEN an encrypted source WHEN copied without a key, with or without Encrypted THEN the copy is encrypted with the destination’s default EBS key, not the source’s', async () => {
    const { account, client, snapshotId, source, copy } = givenSourceSnapshot({}, { encrypted: true });

    const withFlag = await copy({ Encrypted: true });
    const withoutFlag = await copy();

    expect(source.snapshot(snapshotId)).toMatchObject({
      Encrypted: true,
      KmsKeyId: account.defaultEbsKmsKey(SOURCE),
    });
    for (const copyId of [withFlag, withoutFlag]) {
      expect(await described(client, copyId)).toMatchObject({
        Encrypted: true,
        KmsKeyId: account.defaultEbsKmsKey(DESTINATION),
      });
    }
    expect(account.defaultEbsKmsKey(DESTINATION)).not.toBe(account.defaultEbsKmsKey(SOURCE));
  });

  test('GIVEN an encrypted source WHEN copied with a key of the destination (ARN, key id, or the default alias) THEN encrypted with that key', async () => {
    const { account, client, copy } = givenSourceSnapshot({}, { encrypted: true });
    const key = account.createKmsKey(DESTINATION);
    const keyId = key.slice(key.indexOf('key/') + 'key/'.length);

    const byArn = await copy({ Encrypted: true, KmsKeyId: key });
    const byId = await copy({ Encrypted: true, KmsKeyId: keyId });
    const byAlias = await copy({ Encrypted: true, KmsKeyId: 'alias/aws/ebs' });

    expect((await described(client, byArn))?.KmsKeyId).toBe(key);
    expect((await described(client, byId))?.KmsKeyId).toBe(key);
    expect((await described(client, byAlias))?.KmsKeyId).toBe(account.defaultEbsKmsKey(DESTINATION));
    expect((await described(client, byArn))?.State).toBe('pending');
  });

  test('GIVEN a key of the source Region, or one that does not exist WHEN copying THEN accepted, the copy is in error at once with a StateMessage, and takes no place under the limit', async () => {
    const { account, client, clock, copy } = givenSourceSnapshot(
      { concurrentCopyLimit: 1 },
      { encrypted: true },
    );
    const sourceKey = account.createKmsKey(SOURCE);

    const wrongRegion = await copy({ Encrypted: true, KmsKeyId: sourceKey });
    const unknown = await copy({ Encrypted: true, KmsKeyId: 'alias/nothing' });
    const good = await copy({ Encrypted: true });
    clock.advance(10 * MINUTE);

    for (const copyId of [wrongRegion, unknown]) {
      const copied = await described(client, copyId);
      expect(copied).toMatchObject({ State: 'error', Encrypted: true });
      expect(copied?.StateMessage).toEqual(expect.any(String));
    }
    expect((await described(client, wrongRegion))?.KmsKeyId).toBe(sourceKey);
    expect(await described(client, good)).toMatchObject({ State: 'completed' });
    expect(await described(client, good)).not.toHaveProperty('StateMessage');
  });

  test('GIVEN a KmsKeyId without Encrypted: true WHEN copying THEN InvalidParameterDependency and nothing is made', async () => {
    const { account, destination, copy } = givenSourceSnapshot({}, { encrypted: true });

    const error = await ec2ErrorFrom(copy({ KmsKeyId: account.createKmsKey(DESTINATION) }));

    expect(error.name).toBe('InvalidParameterDependency');
    expect(error.message).toBe('The parameter KmsKeyId requires the parameter Encrypted to be set.');
    expect(destination.allSnapshots()).toEqual([]);
  });

  test('GIVEN an unencrypted source WHEN copied THEN the copy is unencrypted; with Encrypted: true THEN encrypted with the default key', async () => {
    const { account, client, copy } = givenSourceSnapshot();

    const plain = await described(client, await copy());
    const encrypted = await described(client, await copy({ Encrypted: true }));

    expect(plain?.Encrypted).toBe(false);
    expect(plain).not.toHaveProperty('KmsKeyId');
    expect(encrypted).toMatchObject({ Encrypted: true, KmsKeyId: account.defaultEbsKmsKey(DESTINATION) });
  });
});

describe('CopySnapshot under the destination’s throttling, lag, planned outcomes and faults', () => {
  test('GIVEN the default rate limits WHEN the destination’s CopySnapshot bucket is drained THEN CopySnapshot is throttled there, while draining the source Region’s does not matter', async () => {
    const { account, client, copy } = givenSourceSnapshot({
      rateLimits: EC2_DEFAULT_RATE_LIMITS,
    });
    const capacity = EC2_DEFAULT_RATE_LIMITS.buckets.CopySnapshot.capacity;
    // Refused for its content, a call still takes a token: draining needs no copy slots.
    const refused = new CopySnapshotCommand({
      SourceRegion: SOURCE,
      SourceSnapshotId: 'snap-0000000000000dead',
    });
    const home = account.ec2Client();
    for (let i = 0; i < capacity; i++) await home.send(refused).catch(() => undefined);
    await copy();
    for (let i = 0; i < capacity - 1; i++) await client.send(refused).catch(() => undefined);

    const error = await ec2ErrorFrom(copy());

    expect(error.name).toBe('RequestLimitExceeded');
    expect(error.$metadata.httpStatusCode).toBe(503);
    expect(account.ec2In(DESTINATION).calls().CopySnapshot).toEqual({
      succeeded: 1,
      throttled: 1,
      failed: capacity - 1,
    });
  });

  test('GIVEN a visibility lag WHEN a copy was just made THEN Describe in the destination does not see it until the lag has passed; the simulator does at once', async () => {
    const { clock, client, destination, copy } = givenSourceSnapshot({ visibilityLagMs: 2_000 });

    const copyId = await copy({ TagSpecifications: [{ ResourceType: 'snapshot', Tags: [MARKER] }] });
    const listed = await client.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    const named = await ec2ErrorFrom(client.send(new DescribeSnapshotsCommand({ SnapshotIds: [copyId] })));
    clock.advance(2_000);

    expect(listed.Snapshots).toEqual([]);
    expect(named.name).toBe('InvalidSnapshot.NotFound');
    expect(destination.snapshot(copyId)?.SnapshotId).toBe(copyId);
    expect((await described(client, copyId))?.SnapshotId).toBe(copyId);
  });

  test('GIVEN outcomes planned in the destination for the source volume WHEN copies are made THEN they end in error after the copy delay, or stay pending; the plan does not touch the source Region’s snapshots', async () => {
    const { account, clock, client, destination, volumeId, copy } = givenSourceSnapshot({
      completionDelayMs: 0,
    });
    destination.setSnapshotOutcome(volumeId, 'error');
    const failing = await copy();
    destination.setSnapshotOutcome(volumeId, 'stuck-pending');
    const stuck = await copy();
    const sourceSnapshot = (await account.ec2Client().send(new CreateSnapshotCommand({ VolumeId: volumeId })))
      .SnapshotId as string;

    clock.advance(10 * MINUTE - 1);
    const failingBefore = (await described(client, failing))?.State;
    clock.advance(365 * 24 * 60 * MINUTE);

    expect(failingBefore).toBe('pending');
    expect((await described(client, failing))?.State).toBe('error');
    expect((await described(client, stuck))?.State).toBe('pending');
    expect(account.ec2.snapshot(sourceSnapshot)?.State).toBe('completed');
  });

  test('GIVEN a planned delay WHEN a copy is made THEN it takes that delay; failSnapshot and completeSnapshot work on copies', async () => {
    const { clock, client, destination, volumeId, copy } = givenSourceSnapshot();
    destination.setSnapshotOutcome(volumeId, 'completed', { completionDelayMs: MINUTE });
    const quick = await copy();
    const failed = await copy();
    const completed = await copy();

    destination.failSnapshot(failed);
    clock.advance(MINUTE - 1);
    destination.completeSnapshot(completed);
    const quickBefore = (await described(client, quick))?.State;
    clock.advance(1);

    expect(quickBefore).toBe('pending');
    expect((await described(client, quick))?.State).toBe('completed');
    expect((await described(client, failed))?.State).toBe('error');
    expect((await described(client, completed))?.State).toBe('completed');
  });

  test('GIVEN a fault on CopySnapshot for one source snapshot WHEN copying two THEN only that one fails and is not made', async () => {
    const { destination, source, volumeId, snapshotId, copy } = givenSourceSnapshot();
    const other = source.addSnapshot({ volumeId });
    destination.injectFault({ action: 'CopySnapshot', error: 'InternalError', snapshotId });

    const error = await ec2ErrorFrom(copy());
    const made = await copy({ SourceSnapshotId: other });

    expect(error.name).toBe('InternalError');
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(destination.allSnapshots().map((snapshot) => snapshot.SnapshotId)).toEqual([made]);
    expect(destination.calls().CopySnapshot).toEqual({ succeeded: 1, throttled: 0, failed: 1 });
  });

  test('GIVEN a lost response to CopySnapshot WHEN copying THEN the caller gets a TimeoutError, yet the copy exists with its tags', async () => {
    const { destination, volumeId, copy } = givenSourceSnapshot();
    destination.injectFault({ action: 'CopySnapshot', error: LOST_RESPONSE, volumeId });

    const error = await copy({ TagSpecifications: [{ ResourceType: 'snapshot', Tags: [MARKER] }] }).then(
      () => undefined,
      (reason: Error) => reason,
    );

    expect(error?.name).toBe('TimeoutError');
    expect(destination.allSnapshots().map((snapshot) => snapshot.Tags)).toEqual([[MARKER]]);
  });
});

describe('copies within one Region, and an EC2 made on its own', () => {
  test('GIVEN SourceRegion is the Region the request is sent to WHEN copying THEN the copy is made next to its source', async () => {
    const { account, snapshotId } = givenSourceSnapshot();

    const answer = await account
      .ec2Client()
      .send(new CopySnapshotCommand({ SourceRegion: SOURCE, SourceSnapshotId: snapshotId }));

    expect(account.ec2.snapshot(answer.SnapshotId as string)?.VolumeId).toBe('vol-ffffffff');
  });

  test('GIVEN a SimulatedEc2 outside any account WHEN copying from its own Region THEN copied; from another THEN InvalidSnapshot.NotFound', async () => {
    const sim = new SimulatedEc2({ region: DESTINATION });
    const snapshotId = sim.addSnapshot({ volumeId: sim.addVolume() });
    const ec2 = connectEc2(sim);

    const copied = await ec2.send(
      new CopySnapshotCommand({ SourceRegion: DESTINATION, SourceSnapshotId: snapshotId }),
    );
    const error = await ec2ErrorFrom(
      ec2.send(new CopySnapshotCommand({ SourceRegion: SOURCE, SourceSnapshotId: snapshotId })),
    );

    expect(await ec2.config.region()).toBe(DESTINATION);
    expect(sim.snapshot(copied.SnapshotId as string)?.State).toBe('pending');
    expect(error.name).toBe('InvalidSnapshot.NotFound');
  });
});
