import type { CancelCommandRequest, CancelCommandResult } from '@aws-sdk/client-ssm';
import { ssmError } from './ssm-errors';
import { validCommandId } from './ssm-invocation-reads';
import type { SsmState } from './ssm-state';

/**
 * CancelCommand: "Attempts to cancel the command specified by the Command ID. There is no
 * guarantee that the command will be terminated and the underlying process stopped." All its
 * invocations, or those of the InstanceIds given (which must be the command's:
 * `InvalidInstanceId`); an unknown command is `InvalidCommandId`. Invocations already over are
 * left as they are.
 */
export function cancelCommand(state: SsmState, input: CancelCommandRequest): CancelCommandResult {
  const commandId = validCommandId(input.CommandId);
  const records = state.invocations.filter((r) => r.commandId === commandId);
  if (records.length === 0) throw ssmError('InvalidCommandId', '');
  const targets = input.InstanceIds ?? records.map((r) => r.instanceId);
  const foreign = targets.filter((id) => !records.some((r) => r.instanceId === id));
  if (foreign.length > 0) {
    throw ssmError(
      'InvalidInstanceId',
      `Instances [[${foreign.join(', ')}]] are not targets of ${commandId}`,
    );
  }
  const now = state.now();
  for (const record of records) {
    if (!targets.includes(record.instanceId) || record.cancelledAt !== undefined) continue;
    if (!state.viewOf(record, now).terminal) record.cancelledAt = now;
  }
  return {};
}
