import { DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { accountEc2Clients } from '../../local/demo/account-clients';
import { EC2_ACTIONS, SimulatedAccount, simulatedEc2Endpoint } from '../../local/simulated-account';
import { runOnEndpoint, SIMULATED_ENDPOINT_URL } from '../fixtures/demo-cli';
import { withEnv } from '../fixtures/endpoints';
import { givenLiveFleet, managedByVolume } from '../fixtures/live-account';

/**
 * `npm start -- --target aws --copy-regions …` against a simulated account behind one endpoint
 * URL: every region's client is made from the same SDK settings, and the endpoint answers each
 * request from the EC2 of the region it was signed for, as an EC2-compatible emulator does.
 */

const COPY_REGIONS = ['eu-west-1', 'us-west-2'];
const LIVE_WITH_COPIES = [
  '--target',
  'aws',
  '--live',
  '--yes',
  '--json',
  '--copy-regions',
  COPY_REGIONS.join(','),
];

interface RunDocument {
  deployment: { copyRegions: string[] };
  plan: { volumes: { volumeId: string; copies?: { region: string; deleteCount: number }[] }[] };
  runs: {
    status: string;
    error?: string;
    cause?: string;
    volumes: { volumeId: string; created?: string; outcome: string }[];
    copies?: { volumeId: string; region: string; copied?: string; outcome: string; deleted: string[] }[];
  }[];
}

describe('npm start -- --target aws --copy-regions: copies made and pruned through the endpoint (SPEC §10)', () => {
  it.each(['AWS_ENDPOINT_URL_EC2', 'AWS_ENDPOINT_URL'] as const)(
    'GIVEN %s naming an endpoint that throttles 20 %% of calls in every region WHEN --live --yes THEN each copy region gets its copy and keeps only it, exit 0',
    async (variable) => {
      const fleet = givenLiveFleet({ instances: 3, seed: 21, copyRegions: COPY_REGIONS });
      for (const region of [fleet.account.region, ...COPY_REGIONS]) {
        for (const action of EC2_ACTIONS) {
          fleet.account
            .ec2In(region)
            .injectFault({ action, error: 'RequestLimitExceeded', probability: 0.2 });
        }
      }
      const before = new Map(
        COPY_REGIONS.map((region) => [region, managedByVolume(fleet.account.ec2In(region))]),
      );

      const run = await runOnEndpoint(fleet.account, LIVE_WITH_COPIES, { virtualTime: true, variable });

      expect(run.code).toBe(0);
      const doc = JSON.parse(run.stdout) as RunDocument;
      expect(doc.deployment.copyRegions).toEqual(COPY_REGIONS);
      expect(doc.runs.map((r) => r.status)).toEqual(['SUCCEEDED']);
      const volumes = [...fleet.history.keys()];
      for (const region of COPY_REGIONS) {
        const copies = managedByVolume(fleet.account.ec2In(region));
        for (const volumeId of volumes) {
          const row = doc.runs[0].copies?.find((c) => c.volumeId === volumeId && c.region === region);
          expect(row?.outcome).toBe('backed-up');
          // Copy generation 1: the new copy is kept, both earlier ones deleted.
          expect(copies.get(volumeId)).toEqual([row?.copied]);
          expect([...(row?.deleted ?? [])].sort()).toEqual(
            [...(before.get(region)?.get(volumeId) ?? [])].sort(),
          );
        }
      }
      const copied = run.requests.filter((r) => r.action === 'CopySnapshot');
      expect(new Set(copied.map((r) => r.region))).toEqual(new Set(COPY_REGIONS));
      const throttled = [fleet.account.region, ...COPY_REGIONS].map((region) =>
        Object.values(fleet.account.ec2In(region).calls()).reduce((n, c) => n + c.throttled, 0),
      );
      process.stdout.write(
        `--live --copy-regions (${variable}): ${run.requests.length} EC2 requests, throttled per region (home, ${COPY_REGIONS.join(', ')}): ${throttled.join(', ')}, ${copied.length} CopySnapshot requests, exit ${run.code}\n`,
      );
      expect(throttled.every((n) => n > 0)).toBe(true);
    },
  );

  it('GIVEN an instance whose copy tag is invalid WHEN --live --yes THEN the run ends FAILED naming the instance and the key, its volumes are still backed up and their copies left alone, exit 1', async () => {
    const fleet = givenLiveFleet({ instances: 2, copyRegions: COPY_REGIONS });
    const typo = fleet.instances[1];
    fleet.sim.tag(typo.instanceId, { 'Backup-Copy-Generation': 'one' });
    const before = managedByVolume(fleet.account.ec2In('eu-west-1'));

    const run = await runOnEndpoint(fleet.account, LIVE_WITH_COPIES, { virtualTime: true });

    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as RunDocument;
    const [result] = doc.runs;
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('BackupFailed');
    expect(result.cause).toContain(typo.instanceId);
    expect(result.cause).toContain('Backup-Copy-Generation');
    for (const volumeId of typo.volumeIds) {
      expect(result.volumes.find((v) => v.volumeId === volumeId)?.outcome).toBe('backed-up');
      expect(result.copies?.some((c) => c.volumeId === volumeId)).toBe(false);
      expect(managedByVolume(fleet.account.ec2In('eu-west-1')).get(volumeId)).toEqual(before.get(volumeId));
    }
    const other = fleet.instances[0].volumeIds[0];
    expect(result.copies?.find((c) => c.volumeId === other && c.region === 'eu-west-1')?.outcome).toBe(
      'backed-up',
    );
  });

  it('GIVEN --copy-regions naming the home region of the SDK settings WHEN run THEN one line says so, exit 2, nothing read', async () => {
    const fleet = givenLiveFleet({ instances: 1 });
    const run = await runOnEndpoint(fleet.account, [
      '--target',
      'aws',
      '--copy-regions',
      'eu-west-1,us-east-1',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'ebs-backup-local: --copy-regions "eu-west-1,us-east-1" names us-east-1, the home region of the SDK settings: copies are kept in other regions\n',
    );
    expect(run.requests).toEqual([]);
  });

  it("GIVEN no endpoint setting WHEN a copy region is used THEN the plan and the workflow reach that region's AWS endpoint, signed for it", async () => {
    const account = new SimulatedAccount();
    const regional = simulatedEc2Endpoint(account, 'https://ec2.eu-west-1.amazonaws.com');
    await withEnv({ AWS_ENDPOINT_URL_EC2: undefined, AWS_ENDPOINT_URL: undefined }, async () => {
      const clients = accountEc2Clients(regional.connect);
      await clients.plan.ec2In('eu-west-1').send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
      await clients.workflow.ec2In('eu-west-1').send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
      // The home region's requests go to its own endpoint, which this one is not.
      await expect(clients.plan.ec2.send(new DescribeSnapshotsCommand({}))).rejects.toThrow(
        /ENOTFOUND ec2\.us-east-1\.amazonaws\.com/,
      );
    });
    expect(regional.requests()).toEqual([
      { action: 'DescribeSnapshots', region: 'eu-west-1' },
      { action: 'DescribeSnapshots', region: 'eu-west-1' },
    ]);
    expect(SIMULATED_ENDPOINT_URL).not.toContain('amazonaws.com');
  });
});
