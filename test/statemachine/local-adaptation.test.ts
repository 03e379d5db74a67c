import { DEFAULT_LOCAL_DEPLOYMENT, localDefinition } from '../../bin/local/local-deployment';
import { StateName } from '../../statemachine/definition';
import { adaptForLocalRun, LOCAL_DISTRIBUTED_MAP_RESOURCE } from '../../statemachine/local-adaptation';

describe('adaptForLocalRun: the one change local runs make to the definition', () => {
  const definition = localDefinition(DEFAULT_LOCAL_DEPLOYMENT);
  const original = JSON.parse(JSON.stringify(definition));
  const { definition: adapted, distributedMaps } = adaptForLocalRun(definition);
  const mapNames: string[] = [StateName.snapshotVolumes, StateName.pruneVolumes];

  it('THEN every state but the Distributed Maps is left exactly as it is, in the same order', () => {
    expect(Object.keys(adapted.States)).toEqual(Object.keys(original.States));
    for (const [name, state] of Object.entries(original.States)) {
      if (!mapNames.includes(name)) expect(adapted.States[name]).toEqual(state);
    }
    const { States: _a, ...restAdapted } = adapted;
    const { States: _o, ...restOriginal } = original;
    expect(restAdapted).toEqual(restOriginal);
  });

  it.each([StateName.snapshotVolumes, StateName.pruneVolumes])(
    'THEN %s keeps every field a Task shares with a Map and drops only Map-only fields',
    (name) => {
      const map = original.States[name];
      const task = adapted.States[name];
      const mapOnly = [
        'ItemReader',
        'ItemSelector',
        'ItemProcessor',
        'MaxConcurrency',
        'ToleratedFailurePercentage',
        'ResultWriter',
        'Label',
      ];
      const shared = Object.fromEntries(
        Object.entries(map).filter(([field]) => field !== 'Type' && !mapOnly.includes(field)),
      );
      expect(task).toEqual({
        ...shared,
        Type: 'Task',
        Resource: LOCAL_DISTRIBUTED_MAP_RESOURCE,
        TimeoutSeconds: original.TimeoutSeconds,
      });
      expect(distributedMaps[name]).toEqual(map);
      expect(mapOnly.map((field) => map[field])).not.toContain(undefined);
    },
  );

  it('THEN the input definition is not modified', () => {
    expect(definition).toEqual(original);
  });

  it('GIVEN an inline Map WHEN adapted THEN it is left alone', () => {
    const inline = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    };
    expect(adaptForLocalRun(inline)).toEqual({ definition: inline, distributedMaps: {} });
  });
});
