/**
 * The longest EC2 may take to list a snapshot after creating it that the workflow tolerates
 * without making a second one. EC2's API is eventually consistent: a snapshot just created (or
 * copied) may be missing from DescribeSnapshots for a while, and AWS's guidance is to describe
 * again with a backoff "starting with a couple of seconds of wait time, and increasing gradually
 * up to a few minutes", about five
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). The workflow
 * tolerates twice that.
 *
 * After an attempt of unknown outcome (a lost response, a timed-out request or invocation, a
 * redrive), ConfirmSnapshot and ConfirmCopy look for the run's snapshot until this long after
 * they were entered, which is after the attempt ended; only then may the step create again.
 * AwaitSnapshots and AwaitCopies take a snapshot made this long ago and listed no more for gone
 * (deleted since), and stop waiting for it.
 */
export const LISTING_LAG_TOLERANCE_MS = 10 * 60_000;
