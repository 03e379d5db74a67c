import type { VolumeFailure } from '../../lambdas/contracts/run-documents';
import type { InvalidTarget } from '../../lambdas/contracts/work-items';
import { failureCause } from '../../lambdas/core/failure-cause';

const failure = (n: number): VolumeFailure => ({
  volumeId: `vol-${String(n).padStart(4, '0')}`,
  instanceId: 'i-1',
  instanceName: 'web',
  step: 'CreateSnapshot',
  error: 'Ec2Throttled',
  message: 'RequestLimitExceeded: Request limit exceeded.',
});

describe('failureCause (SPEC §4.5)', () => {
  it('GIVEN failed volumes and invalid tags WHEN described THEN every one is named with its reason', () => {
    const invalid: InvalidTarget[] = [
      { resource: 'instance', id: 'i-bad', value: 'abc', reason: 'is not a whole number' },
      { resource: 'volume', id: 'vol-x', instanceId: 'i-2', value: '-1', reason: 'is not a whole number' },
      { resource: 'instance', id: 'i-gone', reason: 'was requested in instanceIds but is not tagged' },
    ];
    const cause = failureCause([failure(1)], invalid, 's3://b/runs/x/report.json');
    expect(cause.split('\n')).toEqual([
      '1 volume(s) failed, 3 invalid tag value(s). Full report: s3://b/runs/x/report.json',
      'vol-0001 (i-1 web): CreateSnapshot Ec2Throttled: RequestLimitExceeded: Request limit exceeded.',
      'instance i-bad: tag value "abc" is not a whole number',
      'volume vol-x (on i-2): tag value "-1" is not a whole number',
      'instance i-gone: was requested in instanceIds but is not tagged',
    ]);
  });

  it('GIVEN a volume that is not attached WHEN described THEN its lines say so instead of naming an instance', () => {
    const { instanceId: _id, instanceName: _name, ...unattached } = failure(7);
    const invalid: InvalidTarget[] = [
      { resource: 'volume', id: 'vol-y', value: 'x', reason: 'is not a whole number' },
    ];
    expect(failureCause([unattached], invalid, 'r').split('\n').slice(1)).toEqual([
      'vol-0007 (not attached): CreateSnapshot Ec2Throttled: RequestLimitExceeded: Request limit exceeded.',
      'volume vol-y (not attached): tag value "x" is not a whole number',
    ]);
  });

  it('GIVEN an invalid copy tag value WHEN described THEN the line names the copy tag key once, and a copy failure its region', () => {
    const invalid: InvalidTarget[] = [
      {
        resource: 'instance',
        id: 'i-app',
        tagKey: 'Backup-Copy-Generation',
        value: 'two',
        reason: 'Backup-Copy-Generation is not a whole number',
      },
    ];
    const copy: VolumeFailure = {
      ...failure(3),
      region: 'eu-west-1',
      step: 'CopySnapshot',
      error: 'CopyLimitExceeded',
      message: 'Too many copies',
    };
    expect(failureCause([copy], invalid, 'r').split('\n').slice(1)).toEqual([
      'vol-0003 (i-1 web) in eu-west-1: CopySnapshot CopyLimitExceeded: Too many copies',
      'instance i-app: Backup-Copy-Generation value "two" is not a whole number',
    ]);
  });

  it('GIVEN more failures than fit WHEN described THEN cut to the limit with how many more', () => {
    const failures = Array.from({ length: 5000 }, (_, i) => failure(i));
    const cause = failureCause(failures, [], 's3://b/r.json', 2000);
    expect(cause.length).toBeLessThanOrEqual(2000);
    const shown = cause.split('\n').filter((line) => line.startsWith('vol-')).length;
    expect(cause).toMatch(new RegExp(`\\n… and ${5000 - shown} more$`));
    expect(shown).toBeGreaterThan(10);
  });

  it('GIVEN exactly what fits WHEN described THEN nothing is cut', () => {
    const full = failureCause([failure(1), failure(2)], [], 'r');
    expect(failureCause([failure(1), failure(2)], [], 'r', full.length)).toBe(full);
  });
});
