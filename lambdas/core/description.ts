/**
 * The snapshot description, byte-compatible with the original recipe (SPEC §2.1) so that
 * existing users recognise their history: `Auto Snapshot <volume-id>(<Name>)`, or
 * `Auto Snapshot <volume-id>` when the instance has no Name or a blank one.
 */
export const MAX_DESCRIPTION_LENGTH = 255;

/** What every description starts with, then the volume ID. */
export const DESCRIPTION_PREFIX = 'Auto Snapshot ';

export function snapshotDescription(volumeId: string, instanceName: string | undefined): string {
  const named = instanceName !== undefined && instanceName.trim() !== '';
  const description = `${DESCRIPTION_PREFIX}${volumeId}${named ? `(${instanceName})` : ''}`;
  return truncateCodePoints(description, MAX_DESCRIPTION_LENGTH);
}

/** What a description in this format names. */
export interface DescribedVolume {
  volumeId: string;
  /** The instance's Name between the parentheses, when there is one. */
  instanceName?: string;
}

const DESCRIPTION_PATTERN = /^Auto Snapshot (vol-[0-9a-f]+)(?:\((.*)\))?$/su;

/**
 * The volume (and Name) a description in this format names, or undefined for any other text.
 * This is how the original recipe's snapshots, which carry no tags, are recognised for adoption
 * (SPEC §3.6). A description cut at 255 characters has lost its closing parenthesis and is not
 * recognised: the recipe could not make one (EC2 refuses longer descriptions).
 */
export function parseSnapshotDescription(description: string): DescribedVolume | undefined {
  const match = DESCRIPTION_PATTERN.exec(description);
  if (!match) return undefined;
  return match[2] === undefined ? { volumeId: match[1] } : { volumeId: match[1], instanceName: match[2] };
}

/** Cuts to at most `max` UTF-16 code units without splitting a surrogate pair. */
export function truncateCodePoints(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return text.slice(0, cut);
}
