import { snapshotDescription } from './description';
import { type GenerationTag, parseGenerationTag } from './generation-tag';
import type { InvalidTarget, SkippedTarget, VolumeWorkItem } from './work-item';

/** What discovery knows about an instance, independent of the EC2 API's shapes. */
export interface TargetInstance {
  instanceId: string;
  name?: string;
  /** The raw value of the generation tag on the instance. */
  tagValue: string;
  volumeIds: string[];
}

export interface ResolvedTargets {
  items: VolumeWorkItem[];
  invalid: InvalidTarget[];
  skipped: SkippedTarget[];
}

interface Candidate {
  instance: TargetInstance;
  generations: number;
}

/**
 * Applies SPEC §1.2–§1.4 to the tagged instances and the volume-level tags.
 *
 * - An instance with an invalid value is reported and none of its volumes are processed
 *   through it; an instance with `0` is skipped unless a volume overrides it.
 * - A volume's own tag overrides its instance's value for that volume (`0` excludes it).
 * - Multi-attach: a volume attached to several targeted instances is backed up once, under
 *   the attachment whose instance ID sorts first among those that would back it up; that
 *   instance's Name and generation (or the volume's override) apply.
 *
 * The output is sorted by volume ID so that runs are repeatable.
 */
export function resolveTargets(
  instances: readonly TargetInstance[],
  volumeTagValues: ReadonlyMap<string, string>,
): ResolvedTargets {
  const invalid: InvalidTarget[] = [];
  const skipped: SkippedTarget[] = [];
  const candidates = new Map<string, Candidate[]>();
  const excludedVolumes = new Map<string, SkippedTarget>();
  const invalidVolumes = new Map<string, InvalidTarget>();

  for (const instance of [...instances].sort((a, b) => compare(a.instanceId, b.instanceId))) {
    const instanceTag = parseGenerationTag(instance.tagValue);
    if (instanceTag.kind === 'invalid') {
      invalid.push({
        resource: 'instance',
        id: instance.instanceId,
        value: instanceTag.value,
        reason: instanceTag.reason,
      });
      continue;
    }
    let backsUpAny = false;
    for (const volumeId of instance.volumeIds) {
      const override = volumeTagValues.get(volumeId);
      const tag: GenerationTag = override === undefined ? instanceTag : parseGenerationTag(override);
      if (tag.kind === 'invalid') {
        invalidVolumes.set(volumeId, {
          resource: 'volume',
          id: volumeId,
          instanceId: instance.instanceId,
          value: tag.value,
          reason: tag.reason,
        });
      } else if (tag.kind === 'skip') {
        if (override !== undefined) {
          excludedVolumes.set(volumeId, { resource: 'volume', id: volumeId, reason: 'volume tag is 0' });
        }
      } else {
        backsUpAny = true;
        const list = candidates.get(volumeId) ?? [];
        list.push({ instance, generations: tag.generations });
        candidates.set(volumeId, list);
      }
    }
    if (instanceTag.kind === 'skip' && !backsUpAny) {
      skipped.push({ resource: 'instance', id: instance.instanceId, reason: 'instance tag is 0' });
    }
  }

  const items: VolumeWorkItem[] = [];
  for (const [volumeId, list] of candidates) {
    // Instances were visited in ID order, so the first candidate is the deterministic choice.
    const { instance, generations } = list[0];
    items.push({
      volumeId,
      instanceId: instance.instanceId,
      ...(instance.name !== undefined && { instanceName: instance.name }),
      description: snapshotDescription(volumeId, instance.name),
      generations,
    });
  }
  items.sort((a, b) => compare(a.volumeId, b.volumeId));
  invalid.push(...invalidVolumes.values());
  skipped.push(...excludedVolumes.values());
  return { items, invalid, skipped };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
