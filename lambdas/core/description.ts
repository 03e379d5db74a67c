/**
 * The snapshot description, byte-compatible with the original recipe (SPEC §2.1) so that
 * existing users recognise their history: `Auto Snapshot <volume-id>(<Name>)`, or
 * `Auto Snapshot <volume-id>` when the instance has no Name or a blank one.
 */
export const MAX_DESCRIPTION_LENGTH = 255;

export function snapshotDescription(volumeId: string, instanceName: string | undefined): string {
  const named = instanceName !== undefined && instanceName.trim() !== '';
  const description = named ? `Auto Snapshot ${volumeId}(${instanceName})` : `Auto Snapshot ${volumeId}`;
  return truncateCodePoints(description, MAX_DESCRIPTION_LENGTH);
}

/** Cuts to at most `max` UTF-16 code units without splitting a surrogate pair. */
export function truncateCodePoints(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return text.slice(0, cut);
}
