import './node20-compat';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { ChildExecutionResult } from '../../lambdas/aws/map-run-results';
import { adaptForLocalRun } from '../../statemachine/local-adaptation';
import { runDistributedMap } from './distributed-map';
import type { TaskHandler } from './lambda-task';
import {
  type AccountClients,
  type LocalDeployment,
  localDefinition,
  localTaskHandlers,
  stateMachineArn,
} from './local-deployment';

const validatedDefinitions = new Set<string>();

export interface LocalExecutionOptions {
  clients: AccountClients;
  deployment: LocalDeployment;
  executionName: string;
  input: unknown;
  /** Progress: a top-level Task started or returned, or a fan-out child ended. */
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { type: 'state'; name: string }
  | { type: 'output'; name: string; output: unknown }
  | { type: 'child'; map: string; child: ChildExecutionResult };

export interface LocalExecutionResult {
  executionName: string;
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** The Task states run at the top level, in order, one entry per attempt. */
  tasks: string[];
}

/**
 * Runs one execution of the real definition with aws-local-stepfunctions and the real handlers
 * in-process. The Distributed Maps run through `runDistributedMap` (see
 * `statemachine/local-adaptation.ts`); everything else is the engine running the deployed ASL.
 * Run it under a `VirtualClock` so that Retry waits take virtual time.
 */
export async function runLocalExecution(options: LocalExecutionOptions): Promise<LocalExecutionResult> {
  const { clients, deployment, executionName } = options;
  const adaptation = adaptForLocalRun(localDefinition(deployment));
  const handlers = localTaskHandlers(clients, deployment);
  const parent = {
    name: executionName,
    arn: `${stateMachineArn(deployment).replace(':stateMachine:', ':execution:')}:${executionName}`,
    stateMachineArn: stateMachineArn(deployment),
    redriveCount: 0,
  };
  const tasks: string[] = [];
  const track =
    (name: string, handler: TaskHandler): TaskHandler =>
    async (input) => {
      tasks.push(name);
      options.onProgress?.({ type: 'state', name });
      const output = await handler(input);
      options.onProgress?.({ type: 'output', name, output });
      return output;
    };
  const topLevel: Record<string, TaskHandler> = {};
  for (const name of Object.keys(adaptation.definition.States)) {
    const mapState = adaptation.distributedMaps[name];
    if (mapState) {
      topLevel[name] = track(name, (input) =>
        runDistributedMap({
          mapState,
          stateName: name,
          input,
          parent,
          s3: clients.s3,
          handlers,
          onChildDone: (child) => options.onProgress?.({ type: 'child', map: name, child }),
        }),
      );
    } else if (handlers[name]) {
      topLevel[name] = track(name, handlers[name]);
    }
  }
  // Validating the definition takes the engine about half a second: once per process is enough.
  const key = JSON.stringify(adaptation.definition);
  const machine = new StateMachine(adaptation.definition as never, {
    validationOptions: validatedDefinitions.has(key) ? { noValidate: true } : { checkArn: false },
  });
  validatedDefinitions.add(key);
  try {
    const output = await machine.run(options.input as never, {
      overrides: { taskResourceLocalHandlers: topLevel as never },
      context: { Execution: { Name: executionName, Id: parent.arn, RedriveCount: 0 } },
    }).result;
    return { executionName, status: 'SUCCEEDED', output, tasks };
  } catch (error) {
    const cause = error instanceof ExecutionError ? (error.cause as Error) : (error as Error);
    return { executionName, status: 'FAILED', error: cause.name, cause: cause.message, tasks };
  }
}
