import { DEFAULT_LOCAL_DEPLOYMENT, type LocalDeployment } from '../../bin/local/local-deployment';
import { type LocalExecutionOptions, runLocalExecution } from '../../bin/local/local-execution';
import { VirtualClock } from '../../bin/local/virtual-clock';
import { SimulatedAccount, type SimulatedEc2Options } from '../../bin/simulated-account';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const TAG = 'Backup-Generation';
export const START = Date.UTC(2025, 0, 1, 3);

/**
 * The real definition run locally against a simulated account, on a virtual clock. Call
 * `close()` after each test (it restores real timers).
 */
export function givenWorkflow(
  ec2: Omit<SimulatedEc2Options, 'now'> = {},
  deploymentOverrides: Partial<LocalDeployment> = {},
) {
  const clock = VirtualClock.install(START);
  const account = new SimulatedAccount({ ec2: { completionDelayMs: 20 * 60_000, ...ec2 } });
  const clients = { ec2: account.ec2Client(), s3: account.s3Client() };
  const deployment = { ...DEFAULT_LOCAL_DEPLOYMENT, ...deploymentOverrides };
  const sim = account.ec2;
  let runs = 0;
  const run = (input: unknown = {}, options: Partial<LocalExecutionOptions> = {}) =>
    clock.settle(
      runLocalExecution({ clients, deployment, executionName: `run-${++runs}`, input, ...options }),
    );
  /** Runs once a day at the same hour, for `days` days. */
  const runDaily = async (days: number, input: unknown = {}) => {
    const results = [];
    for (let day = 0; day < days; day++) {
      await clock.advanceTo(START + day * DAY);
      results.push(await run(input));
    }
    return results;
  };
  const managedSnapshots = (volumeId: string) =>
    sim
      .snapshotsOf(volumeId)
      .filter((s) =>
        s.Tags?.some((t) => t.Key === SnapshotTag.managedBy && t.Value === deployment.managedBy),
      );
  return {
    clock,
    account,
    sim,
    clients,
    deployment,
    run,
    runDaily,
    managedSnapshots,
    close: () => clock.uninstall(),
  };
}
