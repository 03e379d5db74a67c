/**
 * Links to the Step Functions console: in the alarms and the failed-run message (infra) and in
 * the operator CLI. Plain strings, so that both can use them without the CDK.
 */

/** Console page listing the state machine's executions. */
export function executionsConsoleUrl(region: string, stateMachineArn: string): string {
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/statemachines/view/${stateMachineArn}`;
}

/** Console page of one execution (a Distributed Map's child execution too). */
export function executionConsoleUrl(region: string, executionArn: string): string {
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
