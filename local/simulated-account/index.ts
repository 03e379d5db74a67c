// The simulated AWS account: a stateful EC2 and SSM Run Command per Region, KMS key names and S3
// behind the real SDK v3 clients, for handler tests, local state-machine runs, the `npm start`
// demo and the scale benchmark.
export type { CallCounts } from './call-log';
export { connectEc2, connectS3 } from './clients';
export type { CompetingCallerSpec, CompetingCalls } from './competing-caller';
export { EC2_ACTIONS, type Ec2Action } from './ec2-actions';
export { type EndpointRequest, type SimulatedEc2Endpoint, simulatedEc2Endpoint } from './ec2-endpoint';
export { PER_VOLUME_SNAPSHOT_INTERVAL_MS } from './ec2-mutations';
export { DEFAULT_REGION, SIMULATED_ACCOUNT_ID, type SnapshotStateName } from './ec2-records';
export type { InstanceSeed, SeededInstance, SnapshotSeed, VolumeSeed } from './ec2-seeding';
export type { SnapshotOutcome } from './ec2-state';
export type { TagMap } from './ec2-tags';
export { type FaultSpec, HANG, HungResponse, LOST_RESPONSE } from './fault-injector';
export { ManualClock } from './manual-clock';
export { EC2_DEFAULT_RATE_LIMITS, type RateLimits } from './rate-limits';
export { SimulatedAccount, type SimulatedAccountOptions } from './simulated-account';
export { SimulatedEc2, type SimulatedEc2Options } from './simulated-ec2';
export { EBS_DEFAULT_KEY_ALIAS, SimulatedKms } from './simulated-kms';
export { SimulatedS3, type SimulatedS3Options } from './simulated-s3';
export { SimulatedSsm, type SimulatedSsmOptions } from './simulated-ssm';
export { SSM_ACTIONS, type SsmAction } from './ssm-actions';
export type { AgentStatus } from './ssm-agents';
export { connectSsm } from './ssm-client';
export { AWS_RUN_POWERSHELL_SCRIPT, AWS_RUN_SHELL_SCRIPT, type SsmDocument } from './ssm-documents';
export { type OutcomeMatch, type ScriptOutcome, script } from './ssm-script-outcome';
export type { BucketSpec } from './token-bucket';
