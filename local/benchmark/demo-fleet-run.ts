import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { main as demoMain } from '../demo/main';

/** `npm start` at this many generated instances (about two volumes each): issue #9's target. */
export const DEMO_FLEET = 10_000;
const DEMO_MARK = 'BENCH-DEMO ';

/** One `npm start -- --fleet N` as a user would run it: the whole process, start to exit. */
export interface DemoFleetRun {
  /** The demo's options after `npm start --silent --`. */
  args: string[];
  /** The commit measured (the figures of an earlier commit stay as a baseline). */
  commit: string;
  exitCode: number;
  /** Volumes the run's Discover found (the generated fleet and the demo's own). */
  volumes?: number;
  days?: number;
  wallSeconds: number;
  peakRssMb: number;
  /** What a reader needs to know about this run (how it ended, what was changed to run it). */
  note?: string;
}

export interface DemoFleetFigures {
  /** Before the scale work, measured with `/usr/bin/time -v npm start --silent -- …`. */
  baseline: DemoFleetRun[];
  /** From `npm run bench -- --demo-fleet`: the current code. */
  measured: DemoFleetRun[];
}

/** The runs `--demo-fleet` measures: the target (its default number of days), and half the fleet. */
export const DEMO_FLEET_ARGS: string[][] = [
  ['--fleet', String(DEMO_FLEET)],
  ['--fleet', String(DEMO_FLEET / 2)],
];

/**
 * Runs the demo in a process of its own (the benchmark's entry in `--demo-child` mode: the demo's
 * `main`, as `npm start` calls it) and measures it from the outside: wall time from spawn to exit
 * (Node and tsx start-up included, npm's own excluded), peak RSS as the child reports it.
 */
export function measureDemoFleet(args: string[], commit: string): DemoFleetRun {
  const started = performance.now();
  const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--demo-child', ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const wallSeconds = Math.round((performance.now() - started) / 100) / 10;
  const mark = run.stdout.split('\n').find((line) => line.startsWith(DEMO_MARK));
  if (!mark) throw new Error(`npm start ${args.join(' ')} ended without its figures (exit ${run.status})`);
  const days = [...run.stdout.matchAll(/^Day \d+ of (\d+)/gm)][0]?.[1];
  const volumes = /Discover\s+(\d+) volumes/.exec(run.stdout)?.[1];
  return {
    args,
    commit,
    exitCode: run.status ?? -1,
    ...(volumes !== undefined && { volumes: Number(volumes) }),
    ...(days !== undefined && { days: Number(days) }),
    wallSeconds,
    peakRssMb: JSON.parse(mark.slice(DEMO_MARK.length)).peakRssMb,
  };
}

/** The `--demo-child` side: the demo with its output on stdout, then this process's peak RSS. */
export async function runDemoChild(args: string[]): Promise<void> {
  const code = await demoMain(args, {
    stdout: (text) => process.stdout.write(text),
    stderr: () => undefined,
    isTTY: false,
    readLine: async () => undefined,
  });
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`\n${DEMO_MARK}${JSON.stringify({ peakRssMb })}\n`);
  process.exitCode = code;
}
