import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DEFAULT_STACK_NAME, StackOutput } from '../../lambdas/contracts/deployment';
import type { ConsistencyMode } from '../../lambdas/contracts/sets';
import { addCopy, COPY_REGION, givenCli, STATE_MACHINE_ARN, WORK_BUCKET } from '../fixtures/cli';

// `plan` and `generations` show each instance's consistency mode and, for a set, its volumes and
// those it leaves out (SPEC §12.1, §12.2, §12.6), from Discover's own decision.

const TAG = 'Backup-Generation';
const CONSISTENCY = 'Backup-Consistency';
const COPY = 'Backup-Copy-Generation';

interface SetDoc {
  instanceId?: string;
  instanceName?: string;
  mode: string;
  volumeIds: string[];
  excludeBootVolume: boolean;
  excludedRootVolumeId?: string;
  excludeDataVolumeIds: string[];
  platform?: string;
}

interface PlanDoc {
  consistencyTagKey: string;
  tonight: string;
  counts: Record<string, number>;
  modes: Record<string, ConsistencyMode>;
  sets: SetDoc[];
  invalid: { resource: string; id: string; tagKey?: string; value?: string; reason: string }[];
  volumes: { volumeId: string; generations: number }[];
}

interface GenerationsDoc {
  consistencyTagKey: string;
  instances: {
    instanceId: string | null;
    mode: ConsistencyMode | null;
    set: SetDoc | null;
    modeInvalid: string | null;
    volumes: { volumeId: string; generations: number | null; copies: { remark: string }[] }[];
  }[];
}

/**
 * db: instance mode, N=3; its root excluded by its own 0, data, logs with its own N=14.
 * app: application mode, Windows, N=2, one volume. web: no consistency tag, N=1.
 * typo: N=2, consistency `Instance` (invalid), copy tag `x` (invalid). legacy: tagged 0 and
 * `instance` (nothing backed up: no mode).
 */
function givenFleet(options: Parameters<typeof givenCli>[0] = {}, key = CONSISTENCY) {
  const cli = givenCli(options);
  const { sim } = cli;
  const db = sim.addInstance({
    name: 'db',
    tags: { [TAG]: '3', [key]: 'instance' },
    volumes: [{ tags: { [TAG]: '0' } }, {}, { tags: { [TAG]: '14' } }],
  });
  const app = sim.addInstance({
    name: 'app',
    platform: 'windows',
    tags: { [TAG]: '2', [key]: 'application' },
  });
  const web = sim.addInstance({ name: 'web', tags: { [TAG]: '1' } });
  const typo = sim.addInstance({ name: 'typo', tags: { [TAG]: '2', [key]: 'Instance', [COPY]: 'x' } });
  const legacy = sim.addInstance({ name: 'legacy', tags: { [TAG]: '0', [key]: 'instance' } });
  const [root, data, logs] = db.volumeIds;
  return { cli, db: { ...db, root, data, logs }, app, web, typo, legacy };
}

const sorted = (ids: string[]) => [...ids].sort();

describe('ebs-backup plan: each instance’s consistency mode and sets (SPEC §12)', () => {
  it('GIVEN instances in each mode and an invalid value WHEN planned as JSON THEN the modes, the sets with what they leave out, the invalid value with its key; exit 1', async () => {
    const { cli, db, app, web, typo } = givenFleet();

    const result = await cli.run('plan', '--json');

    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const doc = result.json<PlanDoc>();
    expect(doc.consistencyTagKey).toBe(CONSISTENCY);
    expect(doc.modes).toEqual({
      [db.instanceId]: 'instance',
      [app.instanceId]: 'application',
      [web.instanceId]: 'volume',
      [typo.instanceId]: 'volume',
    });
    expect(doc.sets).toEqual(
      [
        {
          instanceId: db.instanceId,
          instanceName: 'db',
          mode: 'instance',
          volumeIds: sorted([db.data, db.logs]),
          excludeBootVolume: true,
          excludedRootVolumeId: db.root,
          excludeDataVolumeIds: [],
        },
        {
          instanceId: app.instanceId,
          instanceName: 'app',
          mode: 'application',
          volumeIds: app.volumeIds,
          excludeBootVolume: false,
          excludeDataVolumeIds: [],
          platform: 'windows',
        },
      ].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1)),
    );
    expect(doc.counts.sets).toBe(2);
    // Each volume of a set keeps its own N, and every volume is still planned on its own row.
    expect(doc.volumes.find((v) => v.volumeId === db.logs)?.generations).toBe(14);
    expect(doc.volumes).toHaveLength(5);
    expect(doc.invalid).toEqual([
      {
        resource: 'instance',
        id: typo.instanceId,
        tagKey: CONSISTENCY,
        value: 'Instance',
        reason: `${CONSISTENCY} is not a consistency mode; expected volume, instance or application (lowercase)`,
      },
    ]);
  });

  it('GIVEN the same fleet WHEN planned as text THEN a line per set, the invalid consistency value apart from the copy tag’s, the sets in the totals', async () => {
    const { cli, db, app, typo } = givenFleet({ copyRegions: [{ region: COPY_REGION }] });

    const result = await cli.run('plan');

    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    const words = (line: string | undefined) => line?.trim().split(/\s{2,}/);
    const at = lines.indexOf(
      `Consistency (tag ${CONSISTENCY}): 2 instances volume by volume, 2 instances taken as a set:`,
    );
    expect(at).toBeGreaterThan(0);
    const rows = [words(lines[at + 1]), words(lines[at + 2])];
    expect(rows).toContainEqual([
      'db',
      db.instanceId,
      'instance',
      `${sorted([db.data, db.logs]).join(', ')} in one CreateSnapshots call; left out: ${db.root} (root volume)`,
    ]);
    expect(rows).toContainEqual([
      'app',
      app.instanceId,
      'application',
      `${app.volumeIds[0]} in one CreateSnapshots call (Windows: PowerShell scripts)`,
    ]);
    const consistency = lines.indexOf(
      "Invalid consistency tag values (backed up volume by volume; tonight's run would end FAILED):",
    );
    expect(lines[consistency + 1]).toBe(
      `  instance ${typo.instanceId}: ${CONSISTENCY} value "Instance" is not a consistency mode; expected volume, instance or application (lowercase)`,
    );
    const copy = lines.findIndex((l) => l.startsWith('Invalid copy tag values'));
    expect(lines[copy + 1]).toContain(`${COPY} value "x"`);
    expect(lines.slice(copy + 1, copy + 3).join('\n')).not.toContain(CONSISTENCY);
    expect(lines.at(-2)).toMatch(/^Tonight: 5 snapshots to create, .* on 5 volumes, 3 of them in 2 sets; /);
  });

  it('GIVEN no instance in a set mode WHEN planned as text THEN one line says every instance is backed up volume by volume', async () => {
    const cli = givenCli();
    cli.sim.addInstance({ tags: { [TAG]: '1' } });

    const result = await cli.run('plan');

    expect(result.stdout).toContain(
      `\nConsistency (tag ${CONSISTENCY}): 1 instance volume by volume, none taken as a set\n`,
    );
    expect(result.stdout).toMatch(/on 1 volume; 0 invalid/);
  });

  it('GIVEN a stack whose ConsistencyTagKey is another key WHEN planned THEN that key is read, not the default', async () => {
    const outputs = {
      [StackOutput.stateMachineArn]: STATE_MACHINE_ARN,
      [StackOutput.workBucket]: WORK_BUCKET,
      [StackOutput.managedBy]: DEFAULT_STACK_NAME,
      [StackOutput.tagKey]: TAG,
      [StackOutput.consistencyTagKey]: 'Consistency',
    };
    const { cli, db, typo } = givenFleet({ stack: outputs }, 'Consistency');
    cli.sim.tag(typo.instanceId, { [CONSISTENCY]: 'instance' });

    const doc = (await cli.run('plan', '--json')).json<PlanDoc>();

    expect(doc.consistencyTagKey).toBe('Consistency');
    expect(doc.modes[db.instanceId]).toBe('instance');
    expect(doc.invalid.map((t) => [t.id, t.tagKey])).toEqual([[typo.instanceId, 'Consistency']]);
  });

  it('GIVEN --consistency-tag-key with --tag-key and --managed-by WHEN planned THEN that key, and no stack read', async () => {
    const { cli, db } = givenFleet({ stack: 'missing' }, 'Consistency');

    const result = await cli.run(
      'plan',
      '--json',
      ...['--tag-key', TAG, '--managed-by', DEFAULT_STACK_NAME, '--consistency-tag-key', 'Consistency'],
    );

    expect(result.stderr).toBe('');
    expect(result.json<PlanDoc>().modes[db.instanceId]).toBe('instance');
    expect(cli.cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it('GIVEN a stack deployed before consistent sets (no ConsistencyTagKey output) WHEN planned THEN the default key', async () => {
    const { cli, db } = givenFleet();

    const doc = (await cli.run('plan', '--json')).json<PlanDoc>();

    expect(doc.consistencyTagKey).toBe(CONSISTENCY);
    expect(doc.modes[db.instanceId]).toBe('instance');
  });
});

describe('ebs-backup generations: each instance’s consistency mode and set (SPEC §12.6)', () => {
  it('GIVEN the fleet WHEN shown as JSON THEN each backed-up instance has its mode, a set its volumes and exclusions, an invalid value its reason', async () => {
    const { cli, db, app, web, typo } = givenFleet({ copyRegions: [{ region: COPY_REGION }] });

    const result = await cli.run('generations', '--json');

    expect(result.code).toBe(0);
    const doc = result.json<GenerationsDoc>();
    expect(doc.consistencyTagKey).toBe(CONSISTENCY);
    const block = (id: string) => doc.instances.find((i) => i.instanceId === id);
    expect(block(db.instanceId)).toMatchObject({
      mode: 'instance',
      set: {
        mode: 'instance',
        volumeIds: sorted([db.data, db.logs]),
        excludeBootVolume: true,
        excludedRootVolumeId: db.root,
        excludeDataVolumeIds: [],
      },
      modeInvalid: null,
    });
    expect(block(app.instanceId)).toMatchObject({
      mode: 'application',
      set: { platform: 'windows', volumeIds: app.volumeIds },
    });
    expect(block(web.instanceId)).toMatchObject({ mode: 'volume', set: null, modeInvalid: null });
    expect(block(typo.instanceId)).toMatchObject({
      mode: 'volume',
      set: null,
      modeInvalid: `${CONSISTENCY} "Instance" is not a consistency mode; expected volume, instance or application (lowercase)`,
    });
  });

  it('GIVEN an invalid consistency value on an instance with copies but no copy tag WHEN shown THEN its copies are not copied for want of a copy tag, not for the consistency value', async () => {
    const cli = givenCli({ copyRegions: [{ region: COPY_REGION }] });
    const { instanceId, volumeIds } = cli.sim.addInstance({ tags: { [TAG]: '1', [CONSISTENCY]: 'bogus' } });
    addCopy(cli.copySim, { volumeId: volumeIds[0], sourceSnapshotId: 'snap-0', startTime: cli.clock.now() });

    const doc = (await cli.run('generations', '--json')).json<GenerationsDoc>();

    const [volume] = doc.instances.find((i) => i.instanceId === instanceId)?.volumes ?? [];
    expect(volume.copies.map((c) => c.remark)).toEqual([
      `not copied: no ${COPY} tag on the volume or its instance, or it is 0; its copies here are left alone`,
    ]);
  });

  it('GIVEN the fleet WHEN shown as text THEN each heading names the mode, a set its volumes under it', async () => {
    const { cli, db, app, typo } = givenFleet();

    const result = await cli.run('generations');

    const lines = result.stdout.split('\n');
    const lineUnder = (heading: string) => lines[lines.indexOf(heading) + 1];
    expect(lineUnder(`Instance db (${db.instanceId}), mode instance`)).toBe(
      `  set: ${sorted([db.data, db.logs]).join(', ')} in one CreateSnapshots call; left out: ${db.root} (root volume)`,
    );
    expect(lineUnder(`Instance app (${app.instanceId}), mode application`)).toBe(
      `  set: ${app.volumeIds[0]} in one CreateSnapshots call (Windows: PowerShell scripts)`,
    );
    expect(lineUnder(`Instance typo (${typo.instanceId}), mode volume`)).toBe(
      `  ${CONSISTENCY} "Instance" is not a consistency mode; expected volume, instance or application (lowercase); tonight's run would end FAILED`,
    );
  });
});
