import type { VolumeFailure } from '../contracts/run-documents';
import type { InvalidTarget } from '../contracts/work-items';

/** Step Functions accepts a cause of at most 32,768 characters. */
export const MAX_CAUSE_LENGTH = 32_768;

/**
 * The cause of a `BackupFailed` execution (SPEC §4.5): a headline with the counts, then one
 * line per failed volume (and per volume and copy region whose copy failed, SPEC §10.4) and
 * per invalid target, cut to fit with a note of how many more there are and where the full
 * report is.
 */
export function failureCause(
  failures: readonly VolumeFailure[],
  invalid: readonly InvalidTarget[],
  reportUri: string,
  maxLength = MAX_CAUSE_LENGTH,
): string {
  const copies = failures.filter((f) => f.region !== undefined).length;
  const counts = [
    `${failures.length - copies} volume(s) failed`,
    ...(copies > 0 ? [`${copies} copy failure(s)`] : []),
    `${invalid.length} invalid tag value(s)`,
  ];
  const headline = `${counts.join(', ')}. Full report: ${reportUri}`;
  const lines = [...failures.map(failureLine), ...invalid.map(invalidLine)];
  let text = headline;
  for (let i = 0; i < lines.length; i++) {
    const more = lines.length - i;
    const tail = `\n… and ${more} more`;
    const next = `${text}\n${lines[i]}`;
    const roomForTail = i + 1 < lines.length ? `\n… and ${more - 1} more`.length : 0;
    if (next.length + roomForTail > maxLength) return `${text}${tail}`.slice(0, maxLength);
    text = next;
  }
  return text;
}

/** Says why a volume's line names no instance, so it does not read as missing data. */
const NOT_ATTACHED = ' (not attached)';

/** One failed volume, or one volume's copy in a region, as the cause and the operator CLI name it. */
export function failureLine(f: VolumeFailure): string {
  const where = f.instanceId
    ? ` (${f.instanceId}${f.instanceName ? ` ${f.instanceName}` : ''})`
    : NOT_ATTACHED;
  const region = f.region === undefined ? '' : ` in ${f.region}`;
  return `${f.volumeId}${where}${region}: ${f.step} ${f.error}: ${f.message}`;
}

/** One invalid target, as the cause, the operator's plan and the CLI name it. */
export function invalidLine(t: InvalidTarget): string {
  const where = t.resource !== 'volume' ? '' : t.instanceId ? ` (on ${t.instanceId})` : NOT_ATTACHED;
  // A copy tag's reason starts with its key (it is read without the key too): named once here.
  const own = t.tagKey !== undefined && t.reason.startsWith(`${t.tagKey} `);
  const reason = own ? t.reason.slice((t.tagKey as string).length + 1) : t.reason;
  const value = t.value === undefined ? '' : ` ${own ? t.tagKey : 'tag'} value ${JSON.stringify(t.value)}`;
  return `${t.resource} ${t.id}${where}:${value} ${reason}`;
}
