import './node20-compat';
import type { S3Client } from '@aws-sdk/client-s3';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { getJson, putJson } from '../../lambdas/aws/json-store';
import type { ChildExecutionResult } from '../../lambdas/aws/map-run-results';
import type { AslDefinition } from '../../statemachine/definition';
import type { TaskHandler } from './lambda-task';

/**
 * The definition was validated once as a whole (see `runLocalExecution`); validating each child
 * and each template again would dominate the run time at thousands of items.
 */
const NOT_REVALIDATED = { validationOptions: { noValidate: true } };

/** What the local runner knows about the execution that runs the map. */
export interface ParentExecution {
  name: string;
  arn: string;
  stateMachineArn: string;
  redriveCount: number;
}

export interface DistributedMapRun {
  mapState: AslDefinition;
  stateName: string;
  input: unknown;
  parent: ParentExecution;
  s3: S3Client;
  /** Handlers of the ItemProcessor's Task states, by state name. */
  handlers: Record<string, TaskHandler>;
  /** Called as each child execution ends (for progress output). */
  onChildDone?: (child: ChildExecutionResult) => void;
}

/**
 * Runs a Distributed Map the way Step Functions does, for local runs: items from the
 * ItemReader's S3 object, one child execution per item of the Map's own ItemProcessor (run by
 * aws-local-stepfunctions, with its Retry), at most MaxConcurrency at once, failures tolerated
 * up to ToleratedFailurePercentage/Count, and results written by the ResultWriter rules
 * (`<Prefix>/<map run id>/manifest.json`, `SUCCEEDED_0.json`, `FAILED_0.json`). Returns what
 * the real state returns: the map run ARN and where the manifest is.
 */
export async function runDistributedMap(run: DistributedMapRun) {
  const { mapState, parent } = run;
  const reader = (await evaluate(mapState.ItemReader.Parameters, run.input, {
    Execution: executionContext(parent),
  })) as {
    Bucket: string;
    Key: string;
  };
  const items = await getJson<unknown[]>(run.s3, { bucket: reader.Bucket, key: reader.Key });
  if (!Array.isArray(items))
    throw namedError('States.ItemReaderFailed', `s3://${reader.Bucket}/${reader.Key} is not a JSON array`);

  const mapRunId = `${parent.name}-${run.stateName}`;
  const mapRunArn = `${parent.stateMachineArn.replace(':stateMachine:', ':mapRun:')}/${mapState.Label ?? run.stateName}:${mapRunId}`;
  const { ProcessorConfig: _, ...processor } = mapState.ItemProcessor;
  const children: ChildExecutionResult[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const input = await evaluate(mapState.ItemSelector ?? '$$.Map.Item.Value', run.input, {
        Execution: executionContext(parent),
        Map: { Item: { Index: index, Value: items[index] } },
      });
      children[index] = await runChild(processor, input, `${mapRunArn}:${index}`, run.handlers);
      run.onChildDone?.(children[index]);
    }
  };
  // MaxConcurrency 0 (or none) means no limit, as in Step Functions.
  const concurrency = Math.min(
    mapState.MaxConcurrency || Number.POSITIVE_INFINITY,
    Math.max(items.length, 1),
  );
  await Promise.all(Array.from({ length: concurrency }, worker));

  const failed = children.filter((c) => c.Status !== 'SUCCEEDED');
  const succeeded = children.filter((c) => c.Status === 'SUCCEEDED');
  const writer = mapState.ResultWriter.Parameters;
  const prefix = `${writer.Prefix}/${mapRunId}`;
  const resultFiles: Record<string, { Key: string; Size: number }[]> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
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
  await putJson(
    run.s3,
    { bucket: writer.Bucket, key: manifestKey },
    { DestinationBucket: writer.Bucket, MapRunArn: mapRunArn, ResultFiles: resultFiles },
  );
  assertTolerated(mapState, failed.length, items.length);
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: writer.Bucket, Key: manifestKey } };
}

async function runChild(
  processor: AslDefinition,
  input: unknown,
  arn: string,
  handlers: Record<string, TaskHandler>,
): Promise<ChildExecutionResult> {
  // `$$.State.RetryCount` is not provided by the local engine: count attempts per child.
  const attempts = { count: 0 };
  const counted = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      async (taskInput: unknown) => {
        try {
          return await handler(taskInput);
        } finally {
          attempts.count += 1;
        }
      },
    ]),
  );
  const name = arn.slice(arn.lastIndexOf(':') + 1);
  const startDate = new Date().toISOString();
  const base = { ExecutionArn: arn, Name: name, Input: JSON.stringify(input), StartDate: startDate };
  try {
    const output = await new StateMachine(processor as never, NOT_REVALIDATED).run(input as never, {
      overrides: { taskResourceLocalHandlers: counted as never },
      context: {
        Execution: { Name: name, Id: arn, RedriveCount: 0 },
        State: {
          get RetryCount() {
            return attempts.count;
          },
        },
      },
    }).result;
    return {
      ...base,
      Status: 'SUCCEEDED',
      Output: JSON.stringify(output),
      StopDate: new Date().toISOString(),
    };
  } catch (error) {
    const cause = error instanceof ExecutionError ? (error.cause as Error) : (error as Error);
    return {
      ...base,
      Status: 'FAILED',
      Error: cause.name,
      Cause: cause.message,
      StopDate: new Date().toISOString(),
    };
  }
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
  return { Name: parent.name, Id: parent.arn, RedriveCount: parent.redriveCount };
}

/** Evaluates a payload template (or a bare path) with the engine's own rules, via a Pass state. */
async function evaluate(
  template: unknown,
  input: unknown,
  context: Record<string, unknown>,
): Promise<unknown> {
  const pass =
    typeof template === 'string'
      ? { Type: 'Pass', InputPath: template, End: true }
      : { Type: 'Pass', Parameters: template, End: true };
  return new StateMachine({ StartAt: 'Evaluate', States: { Evaluate: pass } } as never, NOT_REVALIDATED).run(
    input as never,
    {
      context: context as never,
    },
  ).result;
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
