import type { FinalGeneration, VolumeRow } from '../../local/demo/report-view';
import { type CliRun, runCli, tableAfter } from '../fixtures/demo-cli';

interface DemoJson {
  target: string;
  fleet: { instanceId: string; name?: string; volumes: { volumeId: string; name?: string }[] }[];
  runs: {
    day: number;
    executionName: string;
    status: string;
    dryRun: boolean;
    ec2Calls: { throttled: number };
    volumes: VolumeRow[];
  }[];
  final: { volumes: FinalGeneration[]; unmanaged: { snapshotId: string; volumeId: string }[] };
}

/** Column indexes of the per-day table and of the final table. */
const DAY = { instance: 1, n: 2, created: 3, kept: 4, deleted: 5, skipped: 6, result: 7 };
const FINAL = { name: 1, n: 3, managed: 4, status: 5 };

describe('npm start: the demo on a simulated account (SPEC §9.1)', () => {
  describe('GIVEN no options', () => {
    let run: CliRun;
    beforeAll(async () => {
      run = await runCli([]);
    });

    it('WHEN it ends THEN exit 0 and nothing on stderr, though each run ended FAILED on the invalid tag and mongo’s pre-script', () => {
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout.match(/Outcome: FAILED \(BackupFailed: 2 volumes failed, 2 invalid/g)).toHaveLength(
        4,
      );
    });

    it('WHEN it works THEN it prints a line per phase for each of the 4 days', () => {
      for (const day of [1, 2, 3, 4]) {
        expect(run.stdout).toContain(
          `Day ${day} of 4 · 2025-01-0${day} 03:00 UTC (virtual) · execution demo-day-${day}`,
        );
      }
      expect(
        run.stdout.match(/^ {2}Discover {9}15 volumes on 11 tagged instances, 2 invalid, 3 excluded/gm),
      ).toHaveLength(4);
      expect(run.stdout.match(/^ {2}SnapshotVolumes {2}8\/8 snapshots created$/gm)).toHaveLength(4);
      expect(
        run.stdout.match(/^ {2}SnapshotSets {5}2\/3 instances taken as sets \(7 volumes\), 1 failed$/gm),
      ).toHaveLength(4);
      expect(
        run.stdout.match(/^ {2}AwaitSnapshots {3}\d+ polls until no snapshot was pending/gm),
      ).toHaveLength(4);
      expect(run.stdout.match(/^ {2}PruneVolumes {5}15\/15 volumes pruned$/gm)).toHaveLength(4);
      expect(run.stdout.match(/^ {2}CopyVolumes {6}4\/4 copies started in the copy regions$/gm)).toHaveLength(
        4,
      );
      expect(run.stdout.match(/^ {2}AwaitCopies {6}\d+ polls until no copy was pending/gm)).toHaveLength(4);
      expect(
        run.stdout.match(/^ {2}PruneCopies {6}4\/4 copy families pruned \(volume × copy region\)$/gm),
      ).toHaveLength(4);
      expect(run.stdout.match(/^ {2}Summarise {8}run report written$/gm)).toHaveLength(4);
    });

    it('WHEN day 1 is shown THEN every rule is visible in its table', () => {
      const rows = tableAfter(run.stdout, /^Day 1 of 4/);
      const byInstance = (name: string) => rows.filter((row) => row[DAY.instance] === name);
      const [webRoot, webData] = byInstance('web');
      expect(webRoot.slice(DAY.n, DAY.skipped + 1)).toEqual([
        '2',
        expect.stringMatching(/^snap-/),
        '2',
        '3',
        '0',
      ]);
      expect(webData[DAY.result]).toBe('excluded: volume tag is 0: no snapshot, nothing pruned');
      expect(byInstance('legacy')[0][DAY.result]).toBe(
        'excluded: instance tag is 0: no snapshot, nothing pruned',
      );
      expect(byInstance('typo')[0][DAY.result]).toBe(
        'invalid: tag value "2.5" is not a whole number of ASCII digits; expected 0 to 1000',
      );
      expect(byInstance('app')[0][DAY.result]).toMatch(
        /^ok; kept snap-\w+: InvalidSnapshot\.InUse: The snapshot snap-\w+ is currently in use by ami-\w+$/,
      );
      const unnamed = rows.filter((row) => /^i-/.test(row[DAY.instance]));
      expect(unnamed).toHaveLength(1);
      const multiAttached = rows.filter((row) => row[DAY.result].includes('multi-attach'));
      expect(multiAttached).toHaveLength(1);
      expect(rows.filter((row) => row[0] === multiAttached[0][0])).toHaveLength(1);
    });

    it('WHEN the last day ends THEN every backed-up volume holds exactly N managed generations, the AMI one aside', () => {
      const rows = tableAfter(run.stdout, /^Generations after the last run/);
      const atN = rows.filter((row) => row[FINAL.status] === '= N');
      expect(atN.map((row) => row[FINAL.name]).sort()).toEqual(
        [
          '-',
          'db-data',
          'db-root',
          'node-a-root',
          'node-b-root',
          'shared-data',
          'web-root',
          'pg-root',
          'pg-data',
          'pg-wal',
          'mysql-root',
          'mysql-data',
        ].sort(),
      );
      for (const row of atN) expect(row[FINAL.managed]).toBe(row[FINAL.n]);
      const app = rows.find((row) => row[FINAL.name] === 'app-root');
      expect(app?.slice(FINAL.n)).toEqual(['2', '3', expect.stringMatching(/^1 over N: snap-\w+ in use$/)]);
      // mongo's pre-script fails every day: its sets are taken crash-consistent and pruned, the run says so.
      for (const name of ['mongo-root', 'mongo-data']) {
        const mongo = rows.find((row) => row[FINAL.name] === name);
        expect(mongo?.slice(FINAL.n)).toEqual(['2', '2', 'last run failed: older generations kept']);
      }
      const legacy = rows.find((row) => row[FINAL.name] === 'legacy-root');
      expect(legacy?.slice(FINAL.managed)).toEqual(['1', 'excluded: 1 earlier generation(s) left alone']);
    });

    it('WHEN day 1 is shown THEN its copies in two regions: the seeded backlog pruned in the first, the second growing, the invalid copy tag named', () => {
      const rows = tableAfter(run.stdout, /^ {2}Copies in other regions/);
      const COPY = { instance: 1, region: 2, n: 3, copy: 4, kept: 5, deleted: 6, result: 7 };
      const web = rows.filter((row) => row[COPY.instance] === 'web');
      expect(
        web.map((row) => [
          row[COPY.region],
          row[COPY.n],
          row[COPY.kept],
          row[COPY.deleted],
          row[COPY.result],
        ]),
      ).toEqual([
        ['eu-west-1', '2', '2', '2', 'ok'],
        ['us-west-2', '2', '1', '0', 'ok'],
      ]);
      for (const row of web) expect(row[COPY.copy]).toMatch(/^snap-/);
      // db-data opts out with its own copy tag 0: only db-root is copied.
      expect(rows.filter((row) => row[COPY.instance] === 'db')).toHaveLength(2);
      const app = rows.filter((row) => row[COPY.instance] === 'app');
      expect(app).toHaveLength(1);
      expect(app[0][COPY.result]).toBe(
        'invalid: Backup-Copy-Generation value "two" is not a whole number of ASCII digits; expected 0 to 1000: backed up here, no copies, its copies left alone',
      );
    });

    it('WHEN the last day ends THEN each copied volume holds exactly its copy N in both regions', () => {
      const rows = tableAfter(run.stdout, /^Copies after the last run/);
      expect(rows.map((row) => [row[1], row[2], row[3], row[4], row[5]])).toEqual([
        ['web-root', 'eu-west-1', '2', '2', '= N'],
        ['web-root', 'us-west-2', '2', '2', '= N'],
        ['db-root', 'eu-west-1', '1', '1', '= N'],
        ['db-root', 'us-west-2', '1', '1', '= N'],
      ]);
    });

    it("WHEN it ends THEN the user's own snapshot with the same description is listed untouched", () => {
      expect(run.stdout).toMatch(
        /Snapshots without this deployment's marker \(never deleted\): 1\n {2}snap-\w+ {2}(vol-\w+) {2}"Auto Snapshot \1\(web\)" {2}untouched/,
      );
    });
  });

  it('GIVEN --json WHEN run THEN stdout is one JSON document with per-day per-volume records', async () => {
    const { code, stdout } = await runCli(['--json', '--days', '3']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as DemoJson;
    expect(doc.target).toBe('simulated');
    expect(doc.runs.map((r) => [r.day, r.executionName, r.status])).toEqual([
      [1, 'demo-day-1', 'FAILED'],
      [2, 'demo-day-2', 'FAILED'],
      [3, 'demo-day-3', 'FAILED'],
    ]);
    const webRoot = doc.fleet.find((i) => i.name === 'web')?.volumes[0].volumeId;
    const perDay = doc.runs.map((r) => r.volumes.find((v) => v.volumeId === webRoot));
    expect(perDay.map((v) => [v?.outcome, v?.kept, v?.deleted.length])).toEqual([
      ['backed-up', 2, 3],
      ['backed-up', 2, 1],
      ['backed-up', 2, 1],
    ]);
    expect(doc.runs[0].volumes.map((v) => v.outcome).sort()).toEqual([
      ...Array(13).fill('backed-up'),
      'excluded',
      'excluded',
      'excluded',
      'failed',
      'failed',
      'invalid',
    ]);
    const dbRoot = doc.final.volumes.find((v) => v.volumeName === 'db-root');
    expect(dbRoot).toEqual(expect.objectContaining({ generations: 3, managed: 3, status: '= N' }));
  });

  it('GIVEN --dry-run WHEN run THEN a plan is shown and nothing is created or deleted', async () => {
    const { code, stdout } = await runCli(['--dry-run', '--days', '2', '--json']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as DemoJson;
    expect(doc.runs.every((r) => r.dryRun)).toBe(true);
    const webRoot = doc.runs[1].volumes.find((v) => v.volumeName === 'web-root');
    expect(webRoot).toEqual(expect.objectContaining({ outcome: 'planned', created: '(new snapshot)' }));
    expect(webRoot?.deleted).toHaveLength(3);
    // Exactly the history the fleet was seeded with: nothing created, nothing deleted.
    const managed = Object.fromEntries(doc.final.volumes.map((v) => [v.volumeName ?? v.volumeId, v.managed]));
    const seeded = { 'web-root': 4, 'app-root': 3, 'legacy-root': 1 };
    const unnamed = doc.fleet.find((i) => i.name === undefined)?.volumes[0].volumeId ?? '';
    for (const [volume, count] of Object.entries(managed)) {
      expect([volume, count]).toEqual([volume, { ...seeded, [unnamed]: 2 }[volume] ?? 0]);
    }
    expect(doc.final.volumes.every((v) => v.notCompleted === 0)).toBe(true);
  });

  it('GIVEN --dry-run WHEN shown as text THEN each volume says what would be created and deleted', async () => {
    const { stdout } = await runCli(['--dry-run', '--days', '1']);
    const rows = tableAfter(stdout, /^Day 1 of 1/);
    const web = rows.find((row) => row[DAY.instance] === 'web');
    expect(web?.[DAY.created]).toBe('(new snapshot)');
    expect(web?.[DAY.result]).toMatch(/^would create 1, delete snap-\w+, snap-\w+, snap-\w+$/);
    expect(stdout).not.toContain('snapshots created');
  });

  it('GIVEN --fail-volume web-root WHEN run THEN that volume fails with the reason each day, keeps its old generations and no more than one failed snapshot', async () => {
    const { code, stdout } = await runCli(['--fail-volume', 'web-root', '--days', '2']);
    expect(code).toBe(0);
    for (const day of [1, 2]) {
      const web = tableAfter(stdout, new RegExp(`^Day ${day} of 2`)).find(
        (row) => row[DAY.instance] === 'web',
      );
      // The day before's failed snapshot is deleted: a useless snapshot that counts against EBS's limit.
      const cleared = day === 1 ? '' : '; deleted its 1 other snapshot\\(s\\) in state error \\(snap-\\w+\\)';
      expect(web?.[DAY.result]).toMatch(
        new RegExp(
          `^FAILED PruneSnapshots SnapshotNotCompleted: vol-\\w+: snapshot snap-\\w+ ended in state error; older generations kept${cleared}$`,
        ),
      );
      expect(web?.[DAY.deleted]).toBe('-');
    }
    expect(stdout).toMatch(/BackupFailed: 3 volumes failed, 2 invalid tag values/);
    // No copy is made from a failed snapshot, and the copies there are left as they were.
    const copies = tableAfter(stdout, /^Day 2 of 2/, /^ {2}Copies in other regions/).filter(
      (row) => row[1] === 'web',
    );
    expect(copies.map((row) => row[7])).toEqual([
      'not-reached: no copy: the snapshot here failed',
      'not-reached: no copy: the snapshot here failed',
    ]);
    const finalCopies = tableAfter(stdout, /^Copies after the last run/).filter(
      (row) => row[1] === 'web-root',
    );
    expect(finalCopies.map((row) => [row[2], row[4]])).toEqual([['eu-west-1', '3']]);
    const final = tableAfter(stdout, /^Generations after the last run/).find(
      (row) => row[FINAL.name] === 'web-root',
    );
    expect(final?.slice(FINAL.managed)).toEqual([
      '4',
      'last run failed: older generations kept, 1 in error or pending',
    ]);
  });

  it('GIVEN --throttle-rate 0.3 WHEN run THEN throttled calls are retried and every volume converges or names the throttling', async () => {
    const { code, stdout } = await runCli(['--throttle-rate', '0.3', '--json']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as DemoJson;
    expect(doc.runs.every((r) => r.ec2Calls.throttled > 0)).toBe(true);
    for (const volume of doc.final.volumes.filter((v) => v.generations !== undefined)) {
      const lastRow = doc.runs[3].volumes.find((v) => v.volumeId === volume.volumeId);
      if (lastRow?.outcome === 'failed')
        expect(lastRow.reason).toMatch(/Ec2Throttled|RequestLimitExceeded|mongo: fsyncLock failed/);
      else expect(volume.status).toMatch(/^= N$|^1 over N: snap-\w+ in use$/);
    }
  });

  it('GIVEN --fleet 40 WHEN run for 2 days THEN the generated volumes are backed up and counted, not listed', async () => {
    const { code, stdout } = await runCli(['--fleet', '40', '--days', '2']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\+ 40 generated instances \(fleet-001…\) with \d+ volumes/);
    const volumes = Number(/^ {2}Discover {9}(\d+) volumes on 51 tagged instances/m.exec(stdout)?.[1]);
    expect(volumes).toBeGreaterThan(51);
    // The 7 volumes of the demo's sets are taken by SnapshotSets.
    expect(stdout).toContain(`SnapshotVolumes  ${volumes - 7}/${volumes - 7} snapshots created`);
    expect(stdout).toMatch(/… and \d+ more volumes without remark \(--json lists every one\)/);
  });

  it('GIVEN --strict WHEN a run ends FAILED THEN exit 1', async () => {
    const { code } = await runCli(['--strict', '--days', '1']);
    expect(code).toBe(1);
  });
});
