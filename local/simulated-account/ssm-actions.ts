/** The SSM Run Command actions the simulator answers; also the keys of its call counts and faults. */
export const SSM_ACTIONS = [
  'SendCommand',
  'GetCommandInvocation',
  'ListCommandInvocations',
  'CancelCommand',
] as const;

export type SsmAction = (typeof SSM_ACTIONS)[number];
