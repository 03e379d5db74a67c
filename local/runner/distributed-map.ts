import './node20-compat';
import type { S3Client } from '@aws-sdk/client-s3';
import { getJson, putJson } from '../../lambdas/aws/json-store';
import type { ChildExecutionResult, MapRunManifest } from '../../lambdas/contracts/map-run';
import type { AslDefinition } from '../../statemachine/definition';
import { type EngineEvent, type StateEntry, startEngineRun } from './engine-run';
import type { ExecutionControl } from './execution-control';
import type { TaskHandler } from './lambda-task';
import { evaluatePayloadTemplate as evaluate } from './payload-template';

/** What the local runner knows about the execution that runs the map. */
export interface ParentExecution {
  name: string;
  arn: string;
  stateMachineArn: string;
  redriveCount: number;
  /** When the parent first started (`$$.Execution.StartTime` in the ItemSelector). */
  startTime: string;
}

/** A child execution as the ResultWriter records it, with its redrive count. */
export type ChildExecution = ChildExecutionResult & { RedriveCount: number };

/** One child execution of a Map Run: its record, and where a redrive of it would continue. */
export interface MapRunChild {
  result: ChildExecution;
  unsuccessfulState?: StateEntry;
}

/** What a Map Run leaves behind: enough to write its results, and to redrive it. */
export interface MapRunRecord {
  mapRunArn: string;
  /** The items its ItemReader read when it started: a redrive runs these, not the object now. */
  items: unknown[];
  /** By item index; `undefined` for an item whose child was never started. */
  children: (MapRunChild | undefined)[];
}

export interface DistributedMapRun {
  mapState: AslDefinition;
  stateName: string;
  /**
   * Which Map Run of this state in the execution this is, from 1: a Map state in a loop starts
   * one per entry, each with its own ARN and results. A redriven Map Run keeps its number.
   */
  runNumber?: number;
  input: unknown;
  parent: ParentExecution;
  s3: S3Client;
  /** Handlers of the ItemProcessor's Task states, by state name. */
  handlers: Record<string, TaskHandler>;
  /** Called as each child execution ends (for progress output). */
  onChildDone?: (child: ChildExecutionResult) => void;
  /** Stopping the parent aborts the running children and starts no more. */
  control?: ExecutionControl;
  /** Redrive: the Map Run as the previous attempt of the parent left it. */
  previous?: MapRunRecord;
  /** Called at the start with the Map Run's record, which is then kept up to date. */
  onMapRun?: (record: MapRunRecord) => void;
  /** Called as each child execution is started (or redriven), before its first state. */
  onChildStarted?: () => void;
  /** Sees the engine events of every child execution. */
  observeChild?: (event: EngineEvent) => void;
  /** Virtual ms from a child's start to its first state (a modelled latency; default 0). */
  childStartMs?: number;
}

/**
 * Runs a Distributed Map the way Step Functions does, for local runs: items from the
 * ItemReader's S3 object, one child execution per item of the Map's own ItemProcessor (run by
 * aws-local-stepfunctions, with its Retry), at most MaxConcurrency at once, failures tolerated
 * up to ToleratedFailurePercentage/Count, and results written by the ResultWriter rules
 * (`<Prefix>/<map run id>/manifest.json`, `SUCCEEDED_0.json`, `FAILED_0.json`). Returns what
 * the real state returns: the map run ARN and where the manifest is.
 *
 * Redriving the parent redrives the Map Run (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-map-run.html):
 * succeeded children keep their results; each unsuccessful STANDARD child is redriven with
 * RedriveExecution, which keeps its name, ARN and original input and continues from its
 * unsuccessful state, with its own `$$.Execution.RedriveCount` one higher
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html);
 * items never started are started now. The results written cover the whole Map Run.
 * A Map Run that started children is redriven with the items it read then, whatever the
 * ItemReader's object holds now: "The redriven Map Run uses the same input provided in the
 * original execution attempt" (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-map-run.html#maprun-redrive-input).
 * Only one that never started (its ItemReader failed, or the parent stopped before it) reads the
 * object again, as that table says.
 */
export async function runDistributedMap(run: DistributedMapRun) {
  const { mapState, parent } = run;
  const items = run.previous?.items ?? (await readItems(run));

  const mapRunId = `${parent.name}-${run.stateName}-${run.runNumber ?? 1}`;
  const mapRunArn = `${parent.stateMachineArn.replace(':stateMachine:', ':mapRun:')}/${mapState.Label ?? run.stateName}:${mapRunId}`;
  const record: MapRunRecord = {
    mapRunArn,
    items,
    children: Array.from({ length: items.length }, (_, index) => run.previous?.children[index]),
  };
  run.onMapRun?.(record);
  const { ProcessorConfig: _, ...processor } = mapState.ItemProcessor;
  const queue = [...items.keys()].filter((index) => record.children[index]?.result.Status !== 'SUCCEEDED');
  const worker = async () => {
    for (let index = queue.shift(); index !== undefined && !run.control?.stopped; index = queue.shift()) {
      const previous = record.children[index];
      const input = previous
        ? JSON.parse(previous.result.Input ?? 'null')
        : await evaluate(mapState.ItemSelector ?? '$$.Map.Item.Value', run.input, {
            Execution: executionContext(parent),
            Map: { Item: { Index: index, Value: items[index] } },
          });
      const child = await runChild(run, processor, input, `${mapRunArn}:${index}`, previous);
      record.children[index] = child;
      run.onChildDone?.(child.result);
    }
  };
  // MaxConcurrency 0 (or none) means no limit, as in Step Functions.
  const concurrency = Math.min(
    mapState.MaxConcurrency || Number.POSITIVE_INFINITY,
    Math.max(queue.length, 1),
  );
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (run.control?.stopped) throw namedError('States.Aborted', 'The execution was stopped');

  const children = record.children.map((child) => (child as MapRunChild).result);
  const failed = children.filter((c) => c.Status !== 'SUCCEEDED');
  const succeeded = children.filter((c) => c.Status === 'SUCCEEDED');
  const writer = mapState.ResultWriter.Parameters;
  const prefix = `${writer.Prefix}/${mapRunId}`;
  const resultFiles: Required<MapRunManifest['ResultFiles']> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  for (const [status, list] of [
    ['SUCCEEDED', succeeded],
    ['FAILED', failed],
  ] as const) {
    if (list.length === 0) continue;
    const key = `${prefix}/${status}_0.json`;
    await putJson(run.s3, { bucket: writer.Bucket, key }, list);
    resultFiles[status].push({ Key: key, Size: JSON.stringify(list).length });
  }
  const manifestKey = `${prefix}/manifest.json`;
  const manifest: MapRunManifest = {
    DestinationBucket: writer.Bucket,
    MapRunArn: mapRunArn,
    ResultFiles: resultFiles,
  };
  await putJson(run.s3, { bucket: writer.Bucket, key: manifestKey }, manifest);
  assertTolerated(mapState, failed.length, items.length);
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: writer.Bucket, Key: manifestKey } };
}

/** The items of the ItemReader's S3 object (a JSON array), as the Map Run starts. */
async function readItems(run: DistributedMapRun): Promise<unknown[]> {
  const reader = (await evaluate(run.mapState.ItemReader.Parameters, run.input, {
    Execution: executionContext(run.parent),
  })) as {
    Bucket: string;
    Key: string;
  };
  const items = await getJson<unknown[]>(run.s3, { bucket: reader.Bucket, key: reader.Key });
  if (!Array.isArray(items))
    throw namedError('States.ItemReaderFailed', `s3://${reader.Bucket}/${reader.Key} is not a JSON array`);
  return items;
}

/** Runs one child execution, or redrives it when `previous` is its unsuccessful earlier attempt. */
async function runChild(
  run: DistributedMapRun,
  processor: AslDefinition,
  input: unknown,
  arn: string,
  previous: MapRunChild | undefined,
): Promise<MapRunChild> {
  const name = arn.slice(arn.lastIndexOf(':') + 1);
  const redriveCount = previous ? previous.result.RedriveCount + 1 : 0;
  const base = {
    ExecutionArn: arn,
    Name: name,
    Input: JSON.stringify(input),
    StartDate: previous?.result.StartDate ?? new Date().toISOString(),
    RedriveCount: redriveCount,
  };
  run.onChildStarted?.();
  if (run.childStartMs) await new Promise((resolve) => setTimeout(resolve, run.childStartMs));
  const engine = startEngineRun({
    definition: processor,
    input,
    execution: { name, arn, redriveCount, startTime: base.StartDate },
    handlers: run.handlers,
    restart: previous?.unsuccessfulState,
    control: run.control,
    observe: run.observeChild,
  });
  const unsubscribe = run.control?.whenStopped(() => engine.abort());
  const outcome = await engine.outcome;
  unsubscribe?.();
  const result: ChildExecution = { ...base, Status: outcome.status, StopDate: new Date().toISOString() };
  if (outcome.status === 'SUCCEEDED') result.Output = JSON.stringify(outcome.output);
  if (outcome.error !== undefined) result.Error = outcome.error;
  if (outcome.cause !== undefined) result.Cause = outcome.cause;
  return { result, unsuccessfulState: outcome.unsuccessfulState };
}

function assertTolerated(mapState: AslDefinition, failed: number, total: number): void {
  if (failed === 0) return;
  const percent = mapState.ToleratedFailurePercentage;
  const count = mapState.ToleratedFailureCount;
  const withinPercent = percent !== undefined && (failed / total) * 100 <= percent;
  const withinCount = count !== undefined && failed <= count;
  if (!withinPercent && !withinCount) {
    throw namedError('States.ExceedToleratedFailureThreshold', `${failed} of ${total} items failed`);
  }
}

function executionContext(parent: ParentExecution) {
  return {
    Name: parent.name,
    Id: parent.arn,
    RedriveCount: parent.redriveCount,
    StartTime: parent.startTime,
  };
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
