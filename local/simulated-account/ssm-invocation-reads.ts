import type {
  CommandInvocation,
  GetCommandInvocationRequest,
  GetCommandInvocationResult,
  ListCommandInvocationsRequest,
  ListCommandInvocationsResult,
} from '@aws-sdk/client-ssm';
import { ssmError } from './ssm-errors';
import type { InvocationRecord } from './ssm-invocation';
import type { SsmState } from './ssm-state';

// GetCommandInvocation and ListCommandInvocations: what Run Command reports of invocations, as
// ssm-invocation.ts computes it, in the API's shapes.
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetCommandInvocation.html,
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ListCommandInvocations.html.

/** ListCommandInvocations' MaxResults: "Valid Range: Minimum value of 1. Maximum value of 50." */
const MAX_RESULTS = 50;
/** CommandId: "Length Constraints: Fixed length of 36." */
const COMMAND_ID_LENGTH = 36;
/** GetCommandInvocation: "The first 24,000 characters written by the plugin to stdout", "The first 8,000 … to stderr". */
const MAX_STDOUT = 24_000;
const MAX_STDERR = 8_000;
/** A plugin's Output in ListCommandInvocations (Details): SSM Agent's iohandler.MaximumPluginOutputSize. */
const MAX_PLUGIN_OUTPUT = 2_500;

/**
 * GetCommandInvocation: `InvocationDoesNotExist` ("The command ID and managed node ID you
 * specified didn't match any invocations") for one that does not exist or is not seen yet;
 * `InvalidCommandId` for an ID that cannot be one (not 36 characters); `InvalidPluginName` for
 * a PluginName that is not the document's step.
 */
export function getCommandInvocation(
  state: SsmState,
  input: GetCommandInvocationRequest,
): GetCommandInvocationResult {
  const commandId = validCommandId(input.CommandId);
  const instanceId = input.InstanceId;
  if (!instanceId) throw ssmError('ValidationException', 'InstanceId is required.');
  const now = state.now();
  const record = state.invocations.find(
    (r) => r.commandId === commandId && r.instanceId === instanceId && r.visibleAt <= now,
  );
  if (!record) throw ssmError('InvocationDoesNotExist', '');
  if (input.PluginName !== undefined && input.PluginName !== record.pluginName) {
    throw ssmError(
      'InvalidPluginName',
      `Plugin ${input.PluginName} is not a step of ${record.documentName}.`,
    );
  }
  const view = state.viewOf(record, now);
  const elapsed = view.startedAt === undefined ? undefined : (view.endedAt ?? now) - view.startedAt;
  return {
    CommandId: record.commandId,
    InstanceId: record.instanceId,
    Comment: record.comment,
    DocumentName: record.documentName,
    DocumentVersion: record.documentVersion,
    PluginName: record.pluginName,
    ResponseCode: view.responseCode,
    // "If the plugin hasn't started to run, the string is empty."
    ExecutionStartDateTime: isoOrEmpty(view.startedAt),
    ExecutionElapsedTime: elapsed === undefined ? '' : `PT${(elapsed / 1000).toFixed(3)}S`,
    ExecutionEndDateTime: view.startedAt === undefined ? '' : isoOrEmpty(view.endedAt),
    Status: view.status,
    StatusDetails: view.statusDetails,
    StandardOutputContent: view.stdout.slice(0, MAX_STDOUT),
    StandardOutputUrl: '',
    StandardErrorContent: view.stderr.slice(0, MAX_STDERR),
    StandardErrorUrl: '',
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
}

/** ListCommandInvocations: newest first, MaxResults (1–50) a page, NextToken to go on. */
export function listCommandInvocations(
  state: SsmState,
  input: ListCommandInvocationsRequest,
): ListCommandInvocationsResult {
  if (input.CommandId !== undefined) validCommandId(input.CommandId);
  const filters = commandFilters(input.Filters);
  const maxResults = input.MaxResults ?? MAX_RESULTS;
  if (!(Number.isInteger(maxResults) && maxResults >= 1 && maxResults <= MAX_RESULTS)) {
    throw ssmError(
      'ValidationException',
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${MAX_RESULTS}`,
    );
  }
  const start = input.NextToken === undefined ? 0 : offsetOf(input.NextToken);
  const now = state.now();
  const matching = state.invocations
    .filter(
      (r) =>
        r.visibleAt <= now &&
        (input.CommandId === undefined || r.commandId === input.CommandId) &&
        (input.InstanceId === undefined || r.instanceId === input.InstanceId) &&
        filters(r),
    )
    .reverse();
  const page = matching.slice(start, start + maxResults);
  const next = start + maxResults < matching.length ? tokenOf(start + maxResults) : undefined;
  return {
    CommandInvocations: page.map((record) => toCommandInvocation(state, record, now, input.Details === true)),
    ...(next !== undefined && { NextToken: next }),
  };
}

/**
 * ListCommandInvocations' Filters (CommandFilter,
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CommandFilter.html):
 * `InvokedAfter` and `InvokedBefore` (a timestamp, "2024-07-07T00:00:00Z", executions from then on,
 * and before then) and `DocumentName`, all of them together. `ExecutionStage` "can't be used with
 * the ListCommandInvocations operation" (`InvalidFilterKey`, as SSM names a key it refuses);
 * `Status` is not modelled here.
 */
function commandFilters(
  filters: ListCommandInvocationsRequest['Filters'],
): (record: InvocationRecord) => boolean {
  const tests = (filters ?? []).map(({ key, value = '' }): ((record: InvocationRecord) => boolean) => {
    const at = () => {
      const time = Date.parse(value);
      if (Number.isNaN(time))
        throw ssmError('InvalidFilterValue', `The filter value ${value} is not a timestamp.`);
      return time;
    };
    switch (key) {
      case 'InvokedAfter': {
        const after = at();
        return (record) => record.requestedAt >= after;
      }
      case 'InvokedBefore': {
        const before = at();
        return (record) => record.requestedAt < before;
      }
      case 'DocumentName':
        return (record) => record.documentName === value;
      case 'ExecutionStage':
        throw ssmError('InvalidFilterKey', 'ExecutionStage cannot be used with ListCommandInvocations.');
      default:
        throw new Error(`The simulated SSM does not model the ListCommandInvocations filter ${key}`);
    }
  });
  return (record) => tests.every((test) => test(record));
}

export function toCommandInvocation(
  state: SsmState,
  record: InvocationRecord,
  now: number,
  details: boolean,
): CommandInvocation {
  const view = state.viewOf(record, now);
  const invocation: CommandInvocation = {
    CommandId: record.commandId,
    InstanceId: record.instanceId,
    InstanceName: '',
    Comment: record.comment,
    DocumentName: record.documentName,
    DocumentVersion: record.documentVersion,
    RequestedDateTime: new Date(record.requestedAt),
    Status: view.status,
    StatusDetails: view.statusDetails,
    TraceOutput: '',
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    CommandPlugins: [],
    ServiceRole: '',
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
  if (!details) return invocation;
  const output = [view.stdout, view.stderr].filter((text) => text !== '').join('\n');
  return {
    ...invocation,
    CommandPlugins: [
      {
        Name: record.pluginName,
        Status: view.status === 'Delayed' || view.status === 'Cancelling' ? 'InProgress' : view.status,
        StatusDetails: view.statusDetails,
        ResponseCode: view.responseCode,
        ...(view.startedAt !== undefined && { ResponseStartDateTime: new Date(view.startedAt) }),
        ...(view.startedAt !== undefined &&
          view.terminal &&
          view.endedAt !== undefined && { ResponseFinishDateTime: new Date(view.endedAt) }),
        Output: output.slice(0, MAX_PLUGIN_OUTPUT),
        StandardOutputUrl: '',
        StandardErrorUrl: '',
        OutputS3Region: state.region,
        OutputS3BucketName: '',
        OutputS3KeyPrefix: '',
      },
    ],
  };
}

export function validCommandId(commandId: string | undefined): string {
  if (commandId === undefined || commandId.length !== COMMAND_ID_LENGTH) {
    throw ssmError('InvalidCommandId', '');
  }
  return commandId;
}

function isoOrEmpty(time: number | undefined): string {
  return time === undefined ? '' : new Date(time).toISOString();
}

function tokenOf(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function offsetOf(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64').toString()) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the error below
  }
  throw ssmError('InvalidNextToken', 'The specified token is not valid.');
}
