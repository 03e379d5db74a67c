import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('npm start as a user runs it', () => {
  it('GIVEN a fresh process WHEN `npx tsx bin/ebs-backup-local.ts --days 1` runs THEN exit 0 and the day is reported', async () => {
    const { stdout, stderr } = await run('npx', ['tsx', 'bin/ebs-backup-local.ts', '--days', '1'], {
      cwd: join(__dirname, '..', '..'),
      timeout: 25_000,
    });
    expect(stdout).toContain('Day 1 of 1 · 2025-01-01 03:00 UTC (virtual) · execution demo-day-1');
    expect(stdout).toMatch(/^ {2}SnapshotVolumes {2}8\/8 snapshots created$/m);
    expect(stdout).not.toMatch(/"level"|"_aws"/);
    expect(stderr).toBe('');
  }, 30_000);
});
