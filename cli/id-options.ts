import { InvalidArgumentError } from 'commander';

const ID_PATTERNS = { instance: /^i-[0-9a-f]{8,17}$/, volume: /^vol-[0-9a-f]{8,17}$/ } as const;

/**
 * A commander parser for a list of EC2 IDs (`--instance-ids i-1,i-2` or `--instance-ids i-1 i-2`,
 * repeatable): accumulates them without duplicates and refuses anything that is not one, naming it.
 */
export function idList(kind: keyof typeof ID_PATTERNS) {
  return (value: string, previous: string[] | undefined): string[] => {
    const ids = value.split(/[\s,]+/).filter((id) => id !== '');
    const bad = ids.find((id) => !ID_PATTERNS[kind].test(id));
    if (bad !== undefined) {
      const example = kind === 'instance' ? 'i-0123456789abcdef0' : 'vol-0123456789abcdef0';
      throw new InvalidArgumentError(
        `"${bad}" is not ${kind === 'instance' ? 'an instance' : 'a volume'} ID such as ${example}.`,
      );
    }
    return [...new Set([...(previous ?? []), ...ids])];
  };
}
