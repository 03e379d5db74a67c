import { Duration, TimeZone } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface BackupScheduleProps {
  readonly stateMachine: sfn.IStateMachine;
  /** EventBridge Scheduler cron expression, e.g. `cron(0 3 * * ? *)`. */
  readonly expression: string;
  /** IANA time zone the expression is read in. */
  readonly timeZone: string;
}

/**
 * Starts a full run (`{}`, SPEC §6.1) on the cron schedule. A start that keeps failing for two
 * hours is dropped rather than run late into the next day; the no-success alarm (SPEC §5.3)
 * reports the missed run, so no dead-letter queue is kept.
 */
export class BackupSchedule extends Construct {
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: BackupScheduleProps) {
    super(scope, id);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Starts an EBS generation backup run',
      schedule: scheduler.ScheduleExpression.expression(props.expression, TimeZone.of(props.timeZone)),
      target: new StepFunctionsStartExecution(props.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts: 10,
        maxEventAge: Duration.hours(2),
      }),
    });
  }
}
