import { count } from '../../cli/plural';
import type { DiscoverOutput } from '../../lambdas/contracts/run-documents';
import { StateName } from '../../statemachine/names';
import type { ProgressEvent } from '../runner/local-execution';

/** What one phase did so far: its attempts (polls, batches) and its fan-out's children. */
interface Phase {
  name: string;
  attempts: number;
  start: number;
  succeeded: number;
  failed: number;
}

/**
 * The pruning loop's phases: they run beside SnapshotVolumes and over and over (a poll, a batch,
 * a poll, …), so each is one phase until the loop ends, when a state after SnapshotAndPrune starts.
 */
const PRUNING_LOOP: readonly string[] = [
  StateName.awaitSnapshots,
  StateName.pruneVolumes,
  StateName.listUnprunedVolumes,
];

/** States that are not phases of their own: the Parallel state around the fan-outs, and its record. */
const NOT_PHASES: readonly string[] = [
  StateName.snapshotAndPrune,
  StateName.recordSnapshotRun,
  StateName.recordSetRun,
];

/**
 * A line per phase of the execution as it ends: the Task states start once per attempt and each
 * fan-out child reports its end. SnapshotVolumes ends when its branch records it; the pruning
 * loop's phases (which run beside it) when the loop ends. With a real clock, where a retry or a
 * poll may wait minutes, each start, retry and poll also gets a line.
 */
export class PhasePrinter {
  private readonly open = new Map<string, Phase>();
  private discovery: DiscoverOutput | undefined;

  /**
   * `realTime`: a live run, whose phases take minutes: each phase is announced as it starts, and
   * each retry or poll as it comes, but only to someone watching a terminal (`interactive`);
   * written to a file or a pipe, a phase is one line, its summary.
   */
  constructor(
    private readonly say: (text: string) => void,
    private readonly realTime: boolean,
    private readonly interactive = false,
  ) {}

  discovered(output: DiscoverOutput): void {
    this.discovery = output;
  }

  event(event: ProgressEvent): void {
    if (event.type === 'output') return;
    if (event.type === 'child') {
      const phase = this.open.get(event.map);
      if (phase && event.child.Status === 'SUCCEEDED') phase.succeeded += 1;
      else if (phase) phase.failed += 1;
      return;
    }
    const name = event.name;
    if (name === StateName.recordSnapshotRun) this.close([StateName.snapshotVolumes]);
    if (name === StateName.recordSetRun) this.close([StateName.snapshotSets]);
    if (NOT_PHASES.includes(name)) return;
    const phase = this.open.get(name);
    if (phase) {
      phase.attempts += 1;
      if (this.realTime && this.interactive) {
        const polling = name === StateName.awaitSnapshots || name === StateName.awaitCopies;
        const what = polling ? 'poll' : name === StateName.pruneVolumes ? 'batch' : 'attempt';
        this.line(`${what} ${phase.attempts} after ${duration(Date.now() - phase.start)}`, name);
      }
      return;
    }
    // A state of its own, or the first of the fan-outs beside each other: the phases before it ended.
    const beside = [StateName.snapshotVolumes, StateName.snapshotSets, ...PRUNING_LOOP] as string[];
    this.close([...this.open.keys()].filter((open) => !(beside.includes(name) && beside.includes(open))));
    if (this.realTime && this.interactive) this.line('…', name);
    this.open.set(name, { name, attempts: 1, start: Date.now(), succeeded: 0, failed: 0 });
  }

  /** Prints the phases in progress, if any. */
  finish(): void {
    this.close([...this.open.keys()]);
  }

  private close(names: readonly string[]): void {
    for (const name of names) {
      const phase = this.open.get(name);
      if (!phase) continue;
      this.open.delete(name);
      this.line(this.summary(phase), name);
    }
  }

  private summary(phase: Phase): string {
    const { attempts, succeeded, failed: failures } = phase;
    const retried = attempts > 1 ? ` (${attempts} attempts)` : '';
    const total = this.discovery?.counts.volumes ?? succeeded + failures;
    const failed = failures > 0 ? `, ${failures} failed` : '';
    const took = duration(Date.now() - phase.start);
    const c = this.discovery?.counts;
    switch (phase.name) {
      case StateName.discover:
        if (!c) return `did not finish${retried}`;
        return `${count(c.volumes, 'volume')} on ${count(c.instances, 'tagged instance')}, ${c.invalid} invalid, ${c.skipped} excluded${retried}`;
      case StateName.snapshotVolumes:
        return `${succeeded}/${total - (c?.setVolumes ?? 0)} snapshots created${failed}`;
      case StateName.snapshotSets:
        return `${succeeded}/${c?.sets ?? succeeded + failures} instances taken as sets (${count(c?.setVolumes ?? 0, 'volume')})${failed}`;
      case StateName.awaitSnapshots:
        return `${count(attempts, 'poll')} until no snapshot was pending (${took})`;
      case StateName.listUnprunedVolumes:
        return `the wait failed: every volume not pruned yet checked by PruneVolumes (${took})`;
      case StateName.pruneVolumes: {
        const batches = attempts > 1 ? ` in ${attempts} batches` : '';
        return `${succeeded}/${total} volumes ${this.discovery?.dryRun ? 'planned' : 'pruned'}${batches}${failed}`;
      }
      case StateName.copyVolumes:
        return `${succeeded}/${succeeded + failures} copies started in the copy regions${failed}`;
      case StateName.awaitCopies:
        return `${count(attempts, 'poll')} until no copy was pending (${took})`;
      case StateName.pruneCopies: {
        const copies = this.discovery?.counts.copies ?? succeeded + failures;
        return `${succeeded}/${copies} copy families ${this.discovery?.dryRun ? 'planned' : 'pruned'} (volume × copy region)${failed}`;
      }
      default:
        return `run report written${retried}`;
    }
  }

  private line(text: string, phase: string): void {
    this.say(`  ${phase.padEnd(16)} ${text}\n`);
  }
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
