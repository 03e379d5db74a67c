import { planAdoption } from '../../cli/adopt/adoption-plan';
import { descriptionFilters } from '../../cli/adopt/recipe-snapshots';
import { listManagedSnapshots } from '../../lambdas/aws/snapshot-queries';
import { DEFAULT_STACK_NAME } from '../../lambdas/contracts/deployment';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { type GivenCliOptions, givenCli } from '../fixtures/cli';

const DAY = 24 * 60 * 60_000;
const MARKER = SnapshotTag.managedBy;

interface AdoptJson {
  dryRun: boolean;
  managedBy: string;
  includeTagged: boolean;
  adopt: {
    snapshotId: string;
    volumeId: string;
    instanceName: string | null;
    description: string;
    startTime: string;
    state: string;
    tags: Record<string, string>;
  }[];
  leftAlone: {
    snapshotId: string;
    volumeId: string | null;
    description: string;
    startTime: string;
    tags: Record<string, string>;
    reason: string;
    adoptableWith: string | null;
  }[];
  alreadyManaged: number;
  tagged: number;
}

/**
 * An account the original recipe ran in: `web`'s volume has three of its snapshots (named) and
 * two this deployment made since; an unnamed instance's volume has two (unnamed). Around them,
 * what adoption must leave alone: a copy whose description names another volume, another
 * deployment's snapshot, a user's own snapshots with other descriptions, and a snapshot another
 * account shares with this one.
 */
function givenRecipeHistory(options: GivenCliOptions = {}) {
  const cli = givenCli(options);
  const { sim, clock } = cli;
  const [web] = sim.addInstance({ name: 'web', tags: { 'Backup-Generation': '3' } }).volumeIds;
  const [db] = sim.addInstance({ tags: { 'Backup-Generation': '2' } }).volumeIds;
  const at = (daysAgo: number) => clock.now() - daysAgo * DAY;
  const recipe = {
    web: [5, 4, 3].map((d) =>
      sim.addSnapshot({ volumeId: web, description: `Auto Snapshot ${web}(web)`, startTime: at(d) }),
    ),
    db: [4, 3].map((d) =>
      sim.addSnapshot({ volumeId: db, description: `Auto Snapshot ${db}`, startTime: at(d) }),
    ),
  };
  const managed = [2, 1].map((d) =>
    sim.addSnapshot({
      volumeId: web,
      description: `Auto Snapshot ${web}(web)`,
      startTime: at(d),
      tags: { Name: 'web', [MARKER]: DEFAULT_STACK_NAME, [SnapshotTag.volumeId]: web },
    }),
  );
  const copy = sim.addSnapshot({ volumeId: db, description: `Auto Snapshot ${web}(web)`, startTime: at(3) });
  const otherDeployment = sim.addSnapshot({
    volumeId: db,
    description: `Auto Snapshot ${db}`,
    startTime: at(2),
    tags: { [MARKER]: 'SomeoneElse' },
  });
  const untouchable = [
    copy,
    otherDeployment,
    sim.addSnapshot({ volumeId: web, description: `Auto Snapshot ${web} before upgrade`, startTime: at(6) }),
    sim.addSnapshot({ volumeId: web, description: 'my own backup', startTime: at(6) }),
    sim.addSnapshot({
      volumeId: web,
      description: `Auto Snapshot ${web}(web)`,
      ownerId: '999999999999',
      startTime: at(6),
    }),
  ];
  const tagsOf = (ids: string[]) => ids.map((id) => sim.snapshot(id)?.Tags);
  return { ...cli, web, db, recipe, managed, copy, otherDeployment, untouchable, tagsOf };
}

describe('ebs-backup adopt (SPEC §3.6, §11.3)', () => {
  it('GIVEN the recipe’s history WHEN adopt --dry-run --json THEN its snapshots matched to their volumes, the doubtful ones left alone with a reason, nothing tagged', async () => {
    const { run, sim, web, db, recipe, copy, otherDeployment, untouchable, tagsOf } = givenRecipeHistory();
    const before = tagsOf(untouchable);

    const result = await run('adopt', '--dry-run', '--json');

    expect(result.code).toBe(0);
    const json = result.json<AdoptJson>();
    const [webVolume, dbVolume] = [web, db].sort();
    const expected = (volumeId: string) => (volumeId === web ? recipe.web : recipe.db);
    expect(json.adopt.map((a) => a.snapshotId)).toEqual([...expected(webVolume), ...expected(dbVolume)]);
    expect(json.adopt.find((a) => a.volumeId === web)).toEqual({
      snapshotId: recipe.web[0],
      volumeId: web,
      instanceName: 'web',
      description: `Auto Snapshot ${web}(web)`,
      startTime: '2024-12-27T00:00:00.000Z',
      state: 'completed',
      tags: {},
    });
    expect(json.adopt.find((a) => a.volumeId === db)?.instanceName).toBeNull();
    expect(json.leftAlone).toEqual(
      expect.arrayContaining([
        {
          snapshotId: copy,
          volumeId: db,
          description: `Auto Snapshot ${web}(web)`,
          startTime: '2024-12-29T00:00:00.000Z',
          tags: {},
          reason: `its description names ${web}, but it is a snapshot of ${db}`,
          adoptableWith: null,
        },
        {
          snapshotId: otherDeployment,
          volumeId: db,
          description: `Auto Snapshot ${db}`,
          startTime: '2024-12-30T00:00:00.000Z',
          tags: { [MARKER]: 'SomeoneElse' },
          reason: 'managed by another deployment: Backup-Managed-By=SomeoneElse',
          adoptableWith: null,
        },
      ]),
    );
    expect(json.leftAlone).toHaveLength(2);
    expect({
      dryRun: json.dryRun,
      managedBy: json.managedBy,
      includeTagged: json.includeTagged,
      alreadyManaged: json.alreadyManaged,
      tagged: json.tagged,
    }).toEqual({
      dryRun: true,
      managedBy: DEFAULT_STACK_NAME,
      includeTagged: false,
      alreadyManaged: 2,
      tagged: 0,
    });
    expect(tagsOf([...recipe.web, ...recipe.db])).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(tagsOf(untouchable)).toEqual(before);
    expect(sim.calls().CreateTags).toEqual({ succeeded: 0, throttled: 0, failed: 0 });
  });

  it('GIVEN --yes WHEN adopted THEN each recipe snapshot carries the marker and its volume, retention now counts it, the rest is untouched; a second run finds nothing', async () => {
    const { run, sim, ec2, web, db, recipe, untouchable, tagsOf } = givenRecipeHistory();
    const before = tagsOf(untouchable);

    const first = await run('adopt', '--yes', '--json');
    const second = await run('adopt', '--yes', '--json');

    expect(first.code).toBe(0);
    expect(first.json<AdoptJson>()).toMatchObject({ dryRun: false, tagged: 5 });
    for (const [volumeId, ids] of [
      [web, recipe.web],
      [db, recipe.db],
    ] as const) {
      for (const tags of tagsOf([...ids])) {
        expect(tags).toEqual([
          { Key: MARKER, Value: DEFAULT_STACK_NAME },
          { Key: SnapshotTag.volumeId, Value: volumeId },
        ]);
      }
    }
    const webFamily = await listManagedSnapshots(ec2, { managedBy: DEFAULT_STACK_NAME, volumeId: web });
    expect(webFamily).toHaveLength(5);
    expect(tagsOf(untouchable)).toEqual(before);
    expect(sim.calls().CreateTags.succeeded).toBe(2);
    expect(second.code).toBe(0);
    expect(second.json<AdoptJson>()).toMatchObject({ adopt: [], alreadyManaged: 7, tagged: 0 });
    expect(second.json<AdoptJson>().leftAlone).toHaveLength(2);
  });

  it('GIVEN a terminal WHEN the operator types yes THEN the list is shown before the question and the snapshots are tagged', async () => {
    const { run, sim, recipe } = givenRecipeHistory({ isTTY: true, answers: ['yes'] });

    const result = await run('adopt');

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^5 snapshots of the original recipe to adopt \(2 snapshots already managed by EbsGenerationBackup\)/,
    );
    expect(result.stdout).toMatch(/VOLUME\s+SNAPSHOT\s+STARTED\s+NAME\s+TAGS/);
    // Each snapshot is listed before the question, not a count per volume.
    const [listed] = result.stdout.split('Adopted');
    for (const id of [...recipe.web, ...recipe.db]) expect(listed).toContain(id);
    expect(result.stdout).toContain('Adopted 5 snapshots of 2 volumes');
    expect(sim.snapshot(recipe.db[0])?.Tags).toHaveLength(2);
  });

  it.each([
    ['no', 'no'],
    ['an empty line', ''],
    ['Ctrl+D or Ctrl+C', undefined],
  ])('GIVEN a terminal WHEN the operator answers %s THEN exit 2 and nothing is tagged', async (_, answer) => {
    const { run, sim } = givenRecipeHistory({ isTTY: true, answers: [answer] });

    const result = await run('adopt');

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('ebs-backup: nothing adopted: not confirmed\n');
    expect(sim.calls().CreateTags).toEqual({ succeeded: 0, throttled: 0, failed: 0 });
  });

  it('GIVEN no terminal and no --yes WHEN adopted THEN exit 2 asking for --yes, nothing tagged', async () => {
    const { run, sim } = givenRecipeHistory();

    const result = await run('adopt');

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'ebs-backup: nothing adopted: no terminal to confirm on; add --yes to confirm\n',
    );
    expect(sim.calls().CreateTags.succeeded).toBe(0);
  });

  it('GIVEN --json on a terminal WHEN confirmed THEN the list goes to stderr and stdout holds only the document', async () => {
    const { run } = givenRecipeHistory({ isTTY: true, answers: ['yes'] });

    const result = await run('adopt', '--json');

    expect(result.code).toBe(0);
    expect(result.json<AdoptJson>().tagged).toBe(5);
    expect(result.stderr).toMatch(/^5 snapshots of the original recipe to adopt/);
  });

  it('GIVEN --volume-ids WHEN adopted THEN only the snapshots whose description names those volumes', async () => {
    const { run, sim, db, recipe } = givenRecipeHistory();

    const result = await run('adopt', '--volume-ids', db, '--yes', '--json');

    expect(result.code).toBe(0);
    const json = result.json<AdoptJson>();
    expect(json.adopt.map((a) => a.snapshotId)).toEqual(recipe.db);
    expect(json.leftAlone.map((l) => l.reason)).toEqual([
      'managed by another deployment: Backup-Managed-By=SomeoneElse',
    ]);
    expect(json.alreadyManaged).toBe(0);
    expect(recipe.web.map((id) => sim.snapshot(id)?.Tags)).toEqual([undefined, undefined, undefined]);
  });

  it('GIVEN nothing of the recipe WHEN adopted THEN it says so, exit 0, no question asked', async () => {
    const { run, sim } = givenCli({ isTTY: true, answers: [] });
    sim.addInstance({ name: 'web' });

    const result = await run('adopt');

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('No snapshot of the original recipe is left to adopt.\n');
  });

  it('GIVEN 450 snapshots of one volume WHEN adopted THEN CreateTags in batches of 200, throttled ones retried', async () => {
    const { run, sim, clock } = givenCli();
    const [volumeId] = sim.addInstance().volumeIds;
    for (let i = 0; i < 450; i += 1) {
      sim.addSnapshot({
        volumeId,
        description: `Auto Snapshot ${volumeId}`,
        startTime: clock.now() - i * DAY,
      });
    }
    sim.injectFault({ action: 'CreateTags', error: 'RequestLimitExceeded', times: 2 });

    const result = await run('adopt', '--yes', '--json');

    expect(result.code).toBe(0);
    expect(result.json<AdoptJson>().tagged).toBe(450);
    expect(sim.calls().CreateTags).toEqual({ succeeded: 3, throttled: 2, failed: 0 });
    expect(sim.snapshotsOf(volumeId).every((s) => s.Tags?.length === 2)).toBe(true);
  });

  it('GIVEN CreateTags is denied WHEN adopted THEN one line naming ec2:CreateTags, exit 2, nothing tagged', async () => {
    const { run, sim, recipe } = givenRecipeHistory();
    sim.injectFault({
      action: 'CreateTags',
      error: 'UnauthorizedOperation',
      message: 'You are not authorized',
      times: 5,
    });

    const result = await run('adopt', '--yes');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^ebs-backup: ec2:CreateTags was denied: the caller needs an IAM policy allowing ec2:CreateTags/,
    );
    expect(sim.snapshot(recipe.web[0])?.Tags).toBeUndefined();
  });

  it('GIVEN a volume ID that is not one WHEN adopted THEN one line naming it, exit 2', async () => {
    const result = await givenCli().run('adopt', '--volume-ids', 'vol-0123456789abcdef0,web');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"web" is not a volume ID/);
  });

  it('GIVEN adopt --help THEN every option is explained', async () => {
    const result = await givenCli().run('adopt', '--help');

    expect(result.code).toBe(0);
    for (const option of ['--volume-ids', '--include-tagged', '--dry-run', '--yes']) {
      expect(result.stdout).toContain(option);
    }
  });
});

describe('ebs-backup adopt: snapshots with tags the recipe never sets (SPEC §3.6)', () => {
  /** The recipe's history, plus a user's own snapshot with its description and a tag, and one only AWS tagged. */
  function givenUserSnapshots() {
    const history = givenRecipeHistory();
    const { sim, web, clock } = history;
    const human = sim.addSnapshot({
      volumeId: web,
      description: `Auto Snapshot ${web}(web)`,
      startTime: clock.now() - 2.5 * DAY,
      tags: { CreatedBy: 'human' },
    });
    const awsOnly = sim.addSnapshot({
      volumeId: web,
      description: `Auto Snapshot ${web}(web)`,
      startTime: clock.now() - 6 * DAY,
      tags: { 'aws:backup:source-resource': web },
    });
    return { ...history, human, awsOnly };
  }

  it('GIVEN a user’s snapshot with the recipe’s description and CreatedBy=human WHEN adopted THEN it is left alone with its tags, the option that would include it is named, and it stays untagged', async () => {
    const { run, sim, human, awsOnly } = givenUserSnapshots();

    const dry = await run('adopt', '--dry-run', '--json');
    const adopted = await run('adopt', '--yes', '--json');

    const json = dry.json<AdoptJson>();
    expect(json.adopt.map((a) => a.snapshotId)).not.toContain(human);
    expect(json.leftAlone.find((l) => l.snapshotId === human)).toEqual({
      snapshotId: human,
      volumeId: expect.stringMatching(/^vol-/),
      description: expect.stringMatching(/^Auto Snapshot vol-/),
      startTime: '2024-12-29T12:00:00.000Z',
      tags: { CreatedBy: 'human' },
      reason: 'tags the original recipe never sets: CreatedBy=human',
      adoptableWith: '--include-tagged',
    });
    // AWS's own tags (aws:…) are not the user's: that snapshot is the recipe's.
    expect(json.adopt.find((a) => a.snapshotId === awsOnly)?.tags).toEqual({
      'aws:backup:source-resource': expect.any(String),
    });
    expect(adopted.code).toBe(0);
    expect(adopted.json<AdoptJson>().tagged).toBe(6);
    expect(sim.snapshot(human)?.Tags).toEqual([{ Key: 'CreatedBy', Value: 'human' }]);
  });

  it('GIVEN the same WHEN previewed as text THEN every snapshot to adopt with its start time and tags, the tagged one under Left alone, and --include-tagged named', async () => {
    const { run, human, awsOnly, recipe } = givenUserSnapshots();

    const { stdout, code } = await run('adopt', '--dry-run');

    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const row = (id: string) =>
      lines
        .find((line) => line.includes(id))
        ?.trim()
        .split(/\s{2,}/);
    expect(row(recipe.web[0])).toEqual([
      expect.stringMatching(/^vol-/),
      recipe.web[0],
      '2024-12-27 00:00 UTC',
      'web',
      '-',
    ]);
    expect(row(awsOnly)?.slice(1)).toEqual([
      awsOnly,
      '2024-12-26 00:00 UTC',
      'web',
      expect.stringMatching(/^aws:backup:source-resource=vol-/),
    ]);
    const leftAlone = lines.indexOf('Left alone (3):');
    expect(leftAlone).toBeGreaterThan(lines.findIndex((line) => line.includes(awsOnly)));
    expect(row(human)).toEqual([
      human,
      expect.stringMatching(/^vol-/),
      '2024-12-29 12:00 UTC',
      'tags the original recipe never sets: CreatedBy=human',
    ]);
    expect(stdout).toContain(
      "1 snapshot left alone only for its tags: if it is the recipe's, run again with --include-tagged to adopt it.",
    );
  });

  it('GIVEN --include-tagged WHEN adopted THEN the user’s tagged snapshot is adopted too, its own tags kept', async () => {
    const { run, sim, human } = givenUserSnapshots();

    const result = await run('adopt', '--include-tagged', '--yes', '--json');

    expect(result.code).toBe(0);
    const json = result.json<AdoptJson>();
    expect(json.includeTagged).toBe(true);
    expect(json.adopt.find((a) => a.snapshotId === human)?.tags).toEqual({ CreatedBy: 'human' });
    expect(json.leftAlone.map((l) => l.adoptableWith)).toEqual([null, null]);
    expect(sim.snapshot(human)?.Tags).toEqual([
      { Key: 'CreatedBy', Value: 'human' },
      { Key: MARKER, Value: DEFAULT_STACK_NAME },
      { Key: SnapshotTag.volumeId, Value: json.adopt.find((a) => a.snapshotId === human)?.volumeId },
    ]);
  });
});

describe('adopt’s pure parts', () => {
  it('GIVEN no volumes WHEN filtering THEN one wildcard value; GIVEN 150 volumes THEN named and unnamed values for each, at most 200 per request', () => {
    expect(descriptionFilters()).toEqual([['Auto Snapshot vol-*']]);
    const ids = Array.from({ length: 150 }, (_, i) => `vol-${String(i).padStart(8, '0')}`);
    const requests = descriptionFilters(ids);
    expect(requests.map((values) => values.length)).toEqual([200, 100]);
    expect(requests[0].slice(0, 2)).toEqual(['Auto Snapshot vol-00000000', 'Auto Snapshot vol-00000000(*)']);
  });

  it('GIVEN a snapshot already tagged for another volume, or text that only starts like the format WHEN planned THEN the first left alone, the second ignored', () => {
    const snapshot = (snapshotId: string, description: string, tags: Record<string, string> = {}) => ({
      snapshotId,
      state: 'completed',
      startTime: 0,
      volumeId: 'vol-00000001',
      description,
      encrypted: false,
      tags,
    });

    const plan = planAdoption(
      [
        snapshot('snap-1', 'Auto Snapshot vol-00000001', { [SnapshotTag.volumeId]: 'vol-00000002' }),
        snapshot('snap-2', 'Auto Snapshot vol-00000001 (copied)'),
        snapshot('snap-3', 'Auto Snapshot vol-00000001(db)'),
      ],
      DEFAULT_STACK_NAME,
    );

    expect(plan).toEqual({
      adopt: [
        {
          snapshotId: 'snap-3',
          volumeId: 'vol-00000001',
          instanceName: 'db',
          description: 'Auto Snapshot vol-00000001(db)',
          startTime: 0,
          state: 'completed',
          tags: {},
        },
      ],
      leftAlone: [
        {
          snapshotId: 'snap-1',
          volumeId: 'vol-00000001',
          description: 'Auto Snapshot vol-00000001',
          startTime: 0,
          tags: { [SnapshotTag.volumeId]: 'vol-00000002' },
          reason: 'already tagged Backup-Volume-Id=vol-00000002',
          tagged: false,
        },
      ],
      alreadyManaged: 0,
    });
  });
});
