import { CONSISTENCY_MODES, type ConsistencyMode } from '../contracts/sets';
import { trimAsciiSpace } from './generation-tag';

/**
 * The grammar of the consistency tag (SPEC §12.1), read on instances only (a volume cannot set
 * it): surrounding ASCII white space is ignored, the rest must be exactly `volume`, `instance` or
 * `application`, in lowercase. No tag is `volume`. Anything else is invalid with a reason naming
 * the accepted values; nothing is guessed (`Instance` or `app` are not taken for a mode).
 */
export type ConsistencyTag =
  | { kind: 'mode'; mode: ConsistencyMode }
  | { kind: 'invalid'; value: string; reason: string };

const ACCEPTED = `${CONSISTENCY_MODES.slice(0, -1).join(', ')} or ${CONSISTENCY_MODES.at(-1)} (lowercase)`;

/** `raw`: the tag's value on the instance; undefined when the instance carries no such tag. */
export function parseConsistencyTag(raw: string | undefined): ConsistencyTag {
  if (raw === undefined) return { kind: 'mode', mode: 'volume' };
  const value = trimAsciiSpace(raw);
  const mode = CONSISTENCY_MODES.find((m) => m === value);
  if (mode !== undefined) return { kind: 'mode', mode };
  return {
    kind: 'invalid',
    value: raw,
    reason:
      value === '' ? `is empty; expected ${ACCEPTED}` : `is not a consistency mode; expected ${ACCEPTED}`,
  };
}
