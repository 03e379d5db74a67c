import type { Command, SendCommandRequest, SendCommandResult } from '@aws-sdk/client-ssm';
import { SIMULATED_ACCOUNT_ID } from './ec2-records';
import { resolveParameters } from './ssm-documents';
import { ssmError } from './ssm-errors';
import type { SsmState } from './ssm-state';

/** SendCommand's TimeoutSeconds when none is given: "The default for Timeout (seconds) is 3600 seconds" (monitor-commands.html). */
const DEFAULT_DELIVERY_TIMEOUT_SECONDS = 3600;
/** "you can specify up to 50 IDs" (SendCommand, InstanceIds). */
const MAX_INSTANCE_IDS = 50;

/**
 * SendCommand (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html):
 * InstanceIds (1 to 50, no repeats: `DuplicateInstanceId`) on managed nodes only; a node that is
 * not managed, or an instance shutting down or terminated, is `InvalidInstanceId` ("SSM Agent
 * isn't running", "isn't registered with the SSM endpoint", "The managed node isn't in a valid
 * state. Valid states are: Running, Pending, Stopped, and Stopping. Invalid states are:
 * Shutting-down and Terminated"), worded as SSM words it ("Instances [[i-…]] not in a valid state
 * for account …", aws/aws-cli#2412, gravitational/teleport#24176). A node whose agent is merely
 * offline is accepted: the command waits for it (ssm-invocation.ts). An unknown document is
 * `InvalidDocument`; parameters are checked against it (ssm-documents.ts). Targets (tag
 * targeting) is not modelled.
 */
export function sendCommand(state: SsmState, input: SendCommandRequest): SendCommandResult {
  const documentName = input.DocumentName;
  if (!documentName) throw ssmError('ValidationException', 'DocumentName is required.');
  if (input.Targets?.length) throw new Error('The simulated SSM does not model Targets; send InstanceIds');
  const instanceIds = input.InstanceIds ?? [];
  if (instanceIds.length === 0 || instanceIds.length > MAX_INSTANCE_IDS) {
    throw ssmError(
      'ValidationException',
      `1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length between 1 and ${MAX_INSTANCE_IDS}`,
    );
  }
  if (new Set(instanceIds).size !== instanceIds.length) {
    throw ssmError('DuplicateInstanceId', 'Duplicate instance IDs in InstanceIds.');
  }
  const document = state.documents.get(documentName);
  if (!document)
    throw ssmError('InvalidDocument', `Document ${documentName} does not exist in your account.`);
  const { parameters, executionTimeoutSeconds } = resolveParameters(document, input.Parameters);
  const invalid = instanceIds.filter((id) => !state.isValidTarget(id));
  if (invalid.length > 0) {
    throw ssmError(
      'InvalidInstanceId',
      `Instances [[${invalid.join(', ')}]] not in a valid state for account ${SIMULATED_ACCOUNT_ID}`,
    );
  }
  const timeoutSeconds = input.TimeoutSeconds ?? DEFAULT_DELIVERY_TIMEOUT_SECONDS;
  const requestedAt = state.now();
  const commandId = state.nextCommandId();
  const base = {
    commandId,
    documentName,
    documentVersion: input.DocumentVersion ?? '$DEFAULT',
    pluginName: document.pluginName,
    comment: input.Comment ?? '',
    requestedAt,
    visibleAt: requestedAt + state.lagMs,
    deliveryDeadline: requestedAt + timeoutSeconds * 1000,
    expiresAt: requestedAt + (timeoutSeconds + executionTimeoutSeconds) * 1000,
    executionTimeoutMs: executionTimeoutSeconds * 1000,
    stoppedExitCode: document.stoppedExitCode,
    cancelledAt: undefined,
  };
  for (const instanceId of instanceIds) {
    state.invocations.push({
      ...base,
      instanceId,
      outcome: state.outcomes.for(instanceId, documentName, parameters),
    });
  }
  const command: Command = {
    CommandId: commandId,
    DocumentName: documentName,
    DocumentVersion: base.documentVersion,
    Comment: base.comment,
    ExpiresAfter: new Date(base.expiresAt),
    Parameters: input.Parameters ?? {},
    InstanceIds: [...instanceIds],
    Targets: [],
    RequestedDateTime: new Date(requestedAt),
    Status: 'Pending',
    StatusDetails: 'Pending',
    OutputS3Region: state.region,
    OutputS3BucketName: '',
    OutputS3KeyPrefix: '',
    MaxConcurrency: input.MaxConcurrency ?? '50',
    MaxErrors: input.MaxErrors ?? '0',
    TargetCount: instanceIds.length,
    CompletedCount: 0,
    ErrorCount: 0,
    DeliveryTimedOutCount: 0,
    ServiceRole: '',
    TimeoutSeconds: timeoutSeconds,
  };
  return { Command: command };
}
