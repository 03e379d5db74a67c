import { randomBytes } from 'node:crypto';
import { type BackupPlan, planBackup } from '../../cli/backup-plan';
import { confirm } from '../../cli/confirm';
import { CliError } from '../../cli/errors';
import { planJson, planText, wouldFail } from '../../cli/plan-view';
import { getJson } from '../../lambdas/aws/json-store';
import { parseJsonField } from '../../lambdas/aws/map-run-results';
import { CONCURRENT_COPY_LIMIT } from '../../lambdas/contracts/deployment';
import type {
  CreatedCopy,
  CreatedSnapshot,
  DiscoverOutput,
  SummariseOutput,
} from '../../lambdas/contracts/run-documents';
import type { CreatedSet } from '../../lambdas/contracts/sets';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { StateName } from '../../statemachine/names';
import {
  type AccountClients,
  accountClients,
  DEFAULT_LOCAL_DEPLOYMENT,
  type LocalDeployment,
} from '../runner/local-deployment';
import { runLocalExecution } from '../runner/local-execution';
import { VirtualClock } from '../runner/virtual-clock';
import {
  connectS3,
  EC2_ACTIONS,
  EC2_DEFAULT_RATE_LIMITS,
  PER_VOLUME_SNAPSHOT_INTERVAL_MS,
  SimulatedAccount,
  type SimulatedEc2,
  SimulatedS3,
  script,
} from '../simulated-account';
import { snapshotScriptsDocument } from '../simulated-account/ssm-documents';
import { type AccountEc2Clients, accountEc2Clients, type ConnectEc2 } from './account-clients';
import { type CliOptions, UsageError } from './cli-options';
import {
  type DemoCopies,
  type DemoFleet,
  findFleetVolume,
  fleetCopies,
  fleetGenerations,
  fleetText,
  seedDemoFleet,
} from './demo-fleet';
import { PhasePrinter } from './phase-printer';
import {
  type CopyRow,
  copiesText,
  copyRows,
  type Ec2CallTotals,
  type FinalGeneration,
  finalCopiesText,
  finalText,
  type RunRecord,
  runJson,
  runText,
  type VolumeRow,
  volumeRows,
} from './report-view';

/**
 * The two ways `npm start` runs the real workflow: the demo (a simulated account, one execution
 * per simulated day at the same hour, on a virtual clock) and one run against the account and
 * endpoint of the SDK's settings (real time; a dry run unless `--live`).
 */

export interface RunnerIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdin is a terminal, where a confirmation can be typed. */
  isTTY: boolean;
  /** Asks on the terminal; undefined at end of input. */
  readLine(prompt: string): Promise<string | undefined>;
}

export interface RunnerResult {
  runs: RunRecord[];
  /** A run ended FAILED, or (against an account) the plan says tonight's would. */
  failed: boolean;
  /** The `--json` document. */
  json: unknown;
}

/** The first simulated day's run: 03:00 UTC, when a nightly schedule would start it. */
export const DEMO_START = Date.UTC(2025, 0, 1, 3);
const DAY = 24 * 3_600_000;
/** How long the simulated EBS keeps a new snapshot pending. */
export const SNAPSHOT_PENDING_MS = 6 * 60_000;
/** How long a copy to another region stays pending (incremental copies take minutes, a first one longer). */
export const COPY_PENDING_MS = 25 * 60_000;

export async function runSimulatedDemo(options: CliOptions, io: RunnerIo): Promise<RunnerResult> {
  const say = progressOutput(options, io);
  const clock = VirtualClock.install(DEMO_START);
  try {
    const account = new SimulatedAccount({
      region: DEFAULT_LOCAL_DEPLOYMENT.region,
      ec2: {
        completionDelayMs: SNAPSHOT_PENDING_MS,
        copyCompletionDelayMs: COPY_PENDING_MS,
        rateLimits: EC2_DEFAULT_RATE_LIMITS,
        seed: options.seed,
      },
    });
    const deployment: LocalDeployment = {
      ...DEFAULT_LOCAL_DEPLOYMENT,
      tagKey: options.tagKey,
      managedBy: options.managedBy,
      copyRegions: options.copyRegions.map((region) => ({ region })),
    };
    const copies: DemoCopies | undefined =
      options.copyRegions.length > 0
        ? {
            tagKey: deployment.copyTagKey,
            sourceRegion: deployment.region,
            regions: options.copyRegions,
            ec2In: (region) => account.ec2In(region),
          }
        : undefined;
    const fleet = seedDemoFleet(account.ec2, {
      tagKey: options.tagKey,
      consistencyTagKey: deployment.consistencyTagKey,
      managedBy: options.managedBy,
      start: DEMO_START,
      generated: options.fleet,
      seed: options.seed,
      ...(copies && { copies }),
    });
    armFaults(account.ec2, fleet, options);
    // The stack's scripts document, and the managed nodes the application-mode instances are.
    account.ssm.createDocument(snapshotScriptsDocument(deployment.scriptDocument));
    for (const instance of fleet.instances) {
      if (!instance.managedNode) continue;
      account.ssm.registerInstance(instance.instanceId);
      account.ssm.setScriptOutcome(instance.instanceId, script.succeeds({ afterMs: 2_000 }));
      const failing = instance.managedNode.failingPreScript;
      if (failing !== undefined) {
        account.ssm.setScriptOutcome(instance.instanceId, script.fails(1, { stderr: `${failing}\n` }), {
          parameterContains: 'pre',
        });
      }
    }
    const clients = accountClients(account);
    if (!options.json)
      io.stdout(
        `${accountText(deployment, options)}\n${fleetText(fleet, deployment.tagKey, copies?.tagKey, deployment.consistencyTagKey)}`,
      );

    // A generated fleet's unremarkable rows are counted, not listed: the demo's own stay visible.
    const generated = new Set(
      fleet.instances.filter((i) => i.generated).flatMap((i) => i.volumes.map((v) => v.volumeId)),
    );
    const collapse = (row: VolumeRow) =>
      generated.has(row.volumeId ?? '') && row.outcome === 'backed-up' && row.skipped.length === 0;

    const runs: { record: RunRecord; rows: VolumeRow[]; copyRows: CopyRow[] }[] = [];
    for (let day = 1; day <= options.days; day++) {
      await clock.advanceTo(DEMO_START + (day - 1) * DAY);
      const executionName = `demo-day-${day}`;
      say(
        `\nDay ${day} of ${options.days} · ${isoMinute(clock.now())} UTC (virtual) · execution ${executionName}\n`,
      );
      const input = options.dryRun ? { dryRun: true } : {};
      const printer = new PhasePrinter(say, false);
      const regions = () => account.regions().map((region) => account.ec2In(region));
      for (const ec2 of regions()) ec2.resetCalls();
      const run = await clock.settle(executeRun({ clients, deployment, executionName, input, printer }));
      const record = { ...run, day, ec2Calls: callTotals(regions()) };
      say(`  ${'EC2 API'.padEnd(16)} ${ec2CallsText(record.ec2Calls)}\n`);
      const rows = volumeRows(record, fleet.instances);
      const copyRowsOfRun = copyRows(record, options.copyRegions, fleet.instances);
      runs.push({ record, rows, copyRows: copyRowsOfRun });
      if (!options.json) {
        io.stdout(runText(record, rows, { collapse }));
        io.stdout(copiesText(copyRowsOfRun, record.report?.retiredCopyRegions));
      }
    }

    const last = runs[runs.length - 1];
    const { volumes, unmanaged } = fleetGenerations(account.ec2, fleet, last.rows, deployment.managedBy);
    const finalCopies = copies ? fleetCopies(copies, fleet, last.copyRows, deployment.managedBy) : [];
    const atN = (v: FinalGeneration) => generated.has(v.volumeId) && v.generations === v.managed;
    if (!options.json) {
      io.stdout(`\n${finalText(volumes, unmanaged, { collapse: atN })}`);
      const copiesAfter = finalCopiesText(finalCopies);
      if (copiesAfter) io.stdout(`\n${copiesAfter}`);
    }
    return {
      runs: runs.map((r) => r.record),
      failed: runs.some((r) => r.record.status === 'FAILED'),
      json: {
        target: 'simulated',
        deployment: {
          managedBy: deployment.managedBy,
          tagKey: deployment.tagKey,
          copyRegions: options.copyRegions,
          copyTagKey: deployment.copyTagKey,
        },
        options: {
          days: options.days,
          fleet: options.fleet,
          throttleRate: options.throttleRate,
          seed: options.seed,
          dryRun: options.dryRun,
          ...(options.failVolume && { failVolume: options.failVolume }),
        },
        fleet: fleet.instances,
        runs: runs.map((r) => runJson(r.record, r.rows, r.copyRows)),
        final: { volumes, unmanaged, ...(copies && { copies: finalCopies }) },
      },
    };
  } finally {
    clock.uninstall();
  }
}

/**
 * Against the account of the SDK's settings: first the plan, made by the code of `ebs-backup plan`
 * with its clients (read-only; a throttled request is retried with backoff, a silent endpoint
 * fails after one request timeout); with `--live`, after a typed confirmation (or `--yes`), one
 * real run of the workflow, on clients made as the functions make theirs. With `--copy-regions`
 * the deployment keeps copies there (SPEC §10), reached by the same endpoint settings as the home
 * region. Work files stay in an in-memory S3 on this machine: nothing is written to the
 * account's S3.
 */
export async function runOnAccount(
  options: CliOptions,
  io: RunnerIo,
  connect?: ConnectEc2,
): Promise<RunnerResult> {
  const ec2 = accountEc2Clients(connect);
  try {
    return await runWithClients(ec2, options, io);
  } finally {
    // A failed plan may leave requests of other volumes waiting to be retried: end them.
    ec2.stop();
  }
}

async function runWithClients(
  ec2: AccountEc2Clients,
  options: CliOptions,
  io: RunnerIo,
): Promise<RunnerResult> {
  const say = progressOutput(options, io);
  const region = await settingOrExplain(
    () => ec2.plan.ec2.config.region(),
    'no AWS Region: set AWS_REGION or use a profile that has one',
  );
  await settingOrExplain(
    () => ec2.plan.ec2.config.credentials(),
    'no AWS credentials: set AWS_PROFILE or the AWS_ACCESS_KEY_ID variables',
  );
  if (options.copyRegions.includes(region)) {
    throw new UsageError(
      `--copy-regions ${JSON.stringify(options.copyRegions.join(','))} names ${region}, the home region of the SDK settings: copies are kept in other regions`,
    );
  }
  const endpoint = process.env.AWS_ENDPOINT_URL_EC2 ?? process.env.AWS_ENDPOINT_URL ?? 'AWS';
  const deployment: LocalDeployment = {
    ...DEFAULT_LOCAL_DEPLOYMENT,
    tagKey: options.tagKey,
    managedBy: options.managedBy,
    region,
    copyRegions: options.copyRegions.map((copyRegion) => ({ region: copyRegion })),
  };
  const keepsCopies = options.copyRegions.length > 0;
  say(
    `Target: ${endpoint}, region ${region}. Instances tagged ${deployment.tagKey}; snapshots marked ${SnapshotTag.managedBy}=${deployment.managedBy}.\n` +
      (keepsCopies
        ? `Copies kept in ${options.copyRegions.join(' and ')} for volumes tagged ${deployment.copyTagKey}, through the same endpoint settings.\n`
        : '') +
      "Work files stay in memory on this machine; nothing is written to the account's S3.\n",
  );

  const target = {
    region,
    tagKey: deployment.tagKey,
    managedBy: deployment.managedBy,
    consistencyTagKey: deployment.consistencyTagKey,
    copies: { tagKey: deployment.copyTagKey, regions: options.copyRegions },
  };
  const copiesNote = keepsCopies ? ` for a deployment with copyRegions ${options.copyRegions.join(',')}` : '';
  say(
    `\nThe plan, as \`ebs-backup plan --tag-key ${target.tagKey} --managed-by ${target.managedBy}\` shows it${copiesNote}\n`,
  );
  const plan = await planBackup(ec2.plan.ec2, {
    tagKey: target.tagKey,
    managedBy: target.managedBy,
    consistency: { consistencyTagKey: target.consistencyTagKey },
    now: Date.now,
    sleep: ec2.sleep,
    ...(keepsCopies && {
      copies: { copyTagKey: deployment.copyTagKey, copyRegions: deployment.copyRegions },
      ec2In: ec2.plan.ec2In,
    }),
  });
  if (!options.json) io.stdout(`${planText(plan, target).join('\n')}\n`);

  const runs: { record: RunRecord; rows: VolumeRow[]; copyRows: CopyRow[] }[] = [];
  if (options.live) {
    if (!options.yes)
      await confirm(
        io,
        confirmation(plan, region, options.copyRegions),
        '--live: nothing was created or deleted',
      );
    const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, '');
    const executionName = `local-${stamp}-${randomBytes(2).toString('hex')}`;
    say(`\nLive run · execution ${executionName}\n`);
    const clients = { ...ec2.workflow, s3: connectS3(new SimulatedS3()) };
    const printer = new PhasePrinter(say, true, io.isTTY);
    const record = await executeRun({ clients, deployment, executionName, input: {}, printer });
    const rows = volumeRows(record);
    const copyRowsOfRun = copyRows(record, options.copyRegions);
    runs.push({ record, rows, copyRows: copyRowsOfRun });
    if (!options.json) {
      io.stdout(runText(record, rows));
      io.stdout(copiesText(copyRowsOfRun, record.report?.retiredCopyRegions));
    }
  }
  return {
    runs: runs.map((r) => r.record),
    failed: wouldFail(plan) || runs.some((r) => r.record.status === 'FAILED'),
    json: {
      target: 'aws',
      region,
      endpoint,
      deployment: {
        managedBy: deployment.managedBy,
        tagKey: deployment.tagKey,
        copyRegions: options.copyRegions,
        copyTagKey: deployment.copyTagKey,
      },
      plan: planJson(plan, target),
      runs: runs.map((r) => runJson(r.record, r.rows, r.copyRows)),
    },
  };
}

/** What `--live` asks before it changes anything: the plan's creations and deletions, copies included. */
function confirmation(plan: BackupPlan, region: string, copyRegions: readonly string[]): string {
  const deletes = plan.volumes.reduce((n, v) => n + v.deleteCount, 0);
  const copies = plan.volumes.flatMap((v) => v.copies ?? []);
  const copyDeletes = copies.reduce((n, c) => n + c.deleteCount, 0);
  const copying =
    copies.length > 0
      ? `, make ${copies.length} copies and delete up to ${copyDeletes} in ${copyRegions.join(', ')}`
      : '';
  return `Create ${plan.volumes.length} snapshot(s) and delete up to ${deletes} in ${region}${copying}?`;
}

/**
 * Runs one execution and collects what the report needs: Discover's and Summarise's outputs lead
 * to the discovery report and the run report in the work bucket, and SnapshotVolumes' children
 * name the snapshots this run created.
 */
async function executeRun(args: {
  clients: AccountClients;
  deployment: LocalDeployment;
  executionName: string;
  input: object;
  printer: PhasePrinter;
}): Promise<RunRecord> {
  const { clients, deployment, executionName, input, printer } = args;
  let discovered: DiscoverOutput | undefined;
  let summary: SummariseOutput | undefined;
  const created: Record<string, CreatedSnapshot> = {};
  const copiesCreated: Record<string, CreatedCopy> = {};
  const startedAt = new Date().toISOString();
  const result = await runLocalExecution({
    clients,
    deployment,
    executionName,
    input,
    onProgress: (event) => {
      if (event.type === 'output' && event.name === StateName.discover) {
        discovered = event.output as DiscoverOutput;
        printer.discovered(discovered);
      }
      if (event.type === 'output' && event.name === StateName.summarise)
        summary = event.output as SummariseOutput;
      if (event.type === 'child' && event.map === StateName.snapshotVolumes) {
        const snapshot = parseJsonField<CreatedSnapshot>(event.child.Output);
        if (snapshot?.volumeId) created[snapshot.volumeId] = snapshot;
      }
      // A set's child names each volume's snapshot of the set.
      if (event.type === 'child' && event.map === StateName.snapshotSets) {
        for (const snapshot of parseJsonField<CreatedSet>(event.child.Output)?.volumes ?? []) {
          created[snapshot.volumeId] = snapshot;
        }
      }
      if (event.type === 'child' && event.map === StateName.copyVolumes) {
        const copy = parseJsonField<CreatedCopy>(event.child.Output);
        if (copy?.volumeId) copiesCreated[`${copy.volumeId} ${copy.region}`] = copy;
      }
      printer.event(event);
    },
  });
  printer.finish();
  return {
    executionName,
    startedAt,
    dryRun: discovered?.dryRun ?? (input as { dryRun?: boolean }).dryRun === true,
    status: result.status,
    ...(result.error !== undefined && { error: result.error }),
    ...(result.cause !== undefined && { cause: withoutReportLink(result.cause) }),
    ...(discovered && { discovery: await getJson(clients.s3, discovered.discovery) }),
    ...(summary && { report: await getJson(clients.s3, summary.report) }),
    created,
    copiesCreated,
    polls: result.tasks.filter((task) => task === StateName.awaitSnapshots).length,
  };
}

/** EC2 calls in every region of the account. */
function callTotals(regions: readonly SimulatedEc2[]): Ec2CallTotals {
  const totals = { succeeded: 0, throttled: 0, failed: 0 };
  for (const ec2 of regions) {
    for (const counts of Object.values(ec2.calls())) {
      totals.succeeded += counts.succeeded;
      totals.throttled += counts.throttled;
      totals.failed += counts.failed;
    }
  }
  return totals;
}

function ec2CallsText(calls: Ec2CallTotals): string {
  const total = calls.succeeded + calls.throttled + calls.failed;
  const throttled =
    calls.throttled > 0
      ? `${calls.throttled} throttled (RequestLimitExceeded) and retried by the state machine`
      : 'none throttled';
  const failed = calls.failed > 0 ? `, ${calls.failed} answered with another error` : '';
  return `${total} calls, ${throttled}${failed}`;
}

/** Faults the options ask for: a volume whose snapshots end in error, random throttling. */
function armFaults(ec2: SimulatedEc2, fleet: DemoFleet, options: CliOptions): void {
  if (options.failVolume !== undefined) {
    const volumeId = findFleetVolume(fleet, options.failVolume);
    if (volumeId === undefined) {
      throw new UsageError(
        `--fail-volume ${JSON.stringify(options.failVolume)} is not a volume of the demo fleet: give a volume ID or Name such as db-root`,
      );
    }
    ec2.setSnapshotOutcome(volumeId, 'error');
  }
  if (options.throttleRate > 0) {
    for (const action of EC2_ACTIONS) {
      ec2.injectFault({ action, error: 'RequestLimitExceeded', probability: options.throttleRate });
    }
  }
}

function accountText(deployment: LocalDeployment, options: CliOptions): string {
  return [
    `Simulated account ${deployment.accountId}, ${deployment.region}: EC2 token buckets on (CreateSnapshot/DeleteSnapshot 100 + 5/s,`,
    `describes 100 + 20/s), snapshots pending ${SNAPSHOT_PENDING_MS / 60_000} min, one CreateSnapshot per volume per ${PER_VOLUME_SNAPSHOT_INTERVAL_MS / 1000} s.`,
    `Snapshots marked ${SnapshotTag.managedBy}=${deployment.managedBy}; instances targeted by tag ${deployment.tagKey}.`,
    deployment.copyRegions.length > 0
      ? `Copies kept in ${deployment.copyRegions.map((c) => c.region).join(' and ')} for volumes tagged ${deployment.copyTagKey}; a copy stays pending ${COPY_PENDING_MS / 60_000} min, at most ${CONCURRENT_COPY_LIMIT} in progress per region.`
      : 'No copy regions (--copy-regions none).',
    `${options.days} simulated day(s), one ${options.dryRun ? 'dry run' : 'run'} a day at 03:00 UTC on a virtual clock.`,
    '',
  ].join('\n');
}

/** Progress goes to stdout, or to stderr when stdout carries the JSON document. */
function progressOutput(options: CliOptions, io: RunnerIo): (text: string) => void {
  return (text) => (options.json ? io.stderr(text) : io.stdout(text));
}

async function settingOrExplain<T>(read: () => Promise<T>, explanation: string): Promise<T> {
  try {
    const value = await read();
    if (value === undefined || value === '') throw new Error('missing');
    return value;
  } catch (error) {
    throw new CliError(`${explanation} (${(error as Error).message})`);
  }
}

/**
 * The work files live in this process's memory: the cause's `Full report: s3://…` names an
 * object that exists nowhere an operator could look. The report is what the table shows.
 */
export function withoutReportLink(cause: string): string {
  return cause.replace(/Full report: s3:\/\/[^\s"\\]+/g, 'Full report: kept in memory, shown below');
}

function isoMinute(time: number): string {
  return new Date(time).toISOString().replace('T', ' ').slice(0, 16);
}
