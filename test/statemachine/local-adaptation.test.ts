import { DEFAULT_LOCAL_DEPLOYMENT, localDefinition } from '../../local/runner/local-deployment';
import { type AslDefinition, findState, StateName } from '../../statemachine/definition';
import {
  adaptForLocalRun,
  LOCAL_DISTRIBUTED_MAP_RESOURCE,
  LOCAL_PARALLEL_RESOURCE,
  restartAt,
} from '../../statemachine/local-adaptation';

describe('adaptForLocalRun: what local runs change in the definition', () => {
  const definition = localDefinition(DEFAULT_LOCAL_DEPLOYMENT);
  const original = JSON.parse(JSON.stringify(definition));
  const { definition: adapted, distributedMaps, parallels } = adaptForLocalRun(definition);
  /** The adapted states as the runner sees them: each Parallel with its adapted branches. */
  const adaptedView = { ...adapted.States, ...parallels };
  /** A state after adaptation, wherever it is (a Parallel state itself: the Task it became). */
  const adaptedState = (name: string) => adapted.States[name] ?? findState(adaptedView, name);
  const originalState = (name: string) => findState(original.States, name) as AslDefinition;
  /** Every state name, in order, those in Parallel branches included. */
  const namesIn = (states: Record<string, AslDefinition>): string[] =>
    Object.entries(states).flatMap(([name, state]) => [
      name,
      ...(state.Branches ?? []).flatMap((branch: AslDefinition) => namesIn(branch.States)),
    ]);
  const mapNames: string[] = [
    StateName.snapshotSets,
    StateName.snapshotVolumes,
    StateName.pruneVolumes,
    StateName.copyVolumes,
    StateName.pruneCopies,
  ];
  const taskNames: string[] = [
    StateName.discover,
    StateName.recordSnapshotRun,
    StateName.recordSetRun,
    StateName.awaitSnapshots,
    StateName.listUnprunedVolumes,
    StateName.awaitCopies,
    StateName.summarise,
  ];

  it('THEN every state but the Distributed Maps, the Parallel and the Tasks is left exactly as it is, in the same order, in its branch', () => {
    expect(Object.keys(adapted.States)).toEqual(Object.keys(original.States));
    expect(namesIn(adaptedView)).toEqual(namesIn(original.States));
    const changed = [...mapNames, ...taskNames, StateName.snapshotAndPrune];
    for (const name of namesIn(original.States)) {
      if (!changed.includes(name)) expect(adaptedState(name)).toEqual(originalState(name));
    }
    const { States: _a, ...restAdapted } = adapted;
    const { States: _o, ...restOriginal } = original;
    expect(restAdapted).toEqual(restOriginal);
  });

  it('THEN the Parallel state is a Task of the same name, its branches (where the two fan-outs are) adapted in `parallels`', () => {
    const { Branches, Type: _, ...shared } = originalState(StateName.snapshotAndPrune);
    expect(adapted.States[StateName.snapshotAndPrune]).toEqual({
      ...shared,
      Type: 'Task',
      Resource: LOCAL_PARALLEL_RESOURCE,
      TimeoutSeconds: original.TimeoutSeconds,
    });
    expect(parallels[StateName.snapshotAndPrune].Branches.map((b: AslDefinition) => b.StartAt)).toEqual(
      Branches.map((b: AslDefinition) => b.StartAt),
    );
  });

  it.each(mapNames)(
    'THEN %s keeps every field a Task shares with a Map and drops only Map-only fields',
    (name) => {
      const map = originalState(name);
      const task = adaptedState(name);
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
      const { ItemProcessor: processor, ...rest } = distributedMaps[name];
      const { ItemProcessor: originalProcessor, ...originalRest } = map;
      expect(rest).toEqual(originalRest);
      expect(Object.keys(processor.States)).toEqual(Object.keys(originalProcessor.States));
      expect(mapOnly.map((field) => map[field])).not.toContain(undefined);
    },
  );

  it("THEN a Task without TimeoutSeconds gets AWS's default (bounded by the execution's), not the engine's 60 s", () => {
    for (const name of taskNames) {
      expect(adaptedState(name)).toEqual({ ...originalState(name), TimeoutSeconds: original.TimeoutSeconds });
    }
    for (const name of mapNames) {
      const processor = distributedMaps[name].ItemProcessor;
      const originals = originalState(name).ItemProcessor.States;
      for (const [child, adaptedChild] of Object.entries(processor.States)) {
        // Only Tasks get a timeout: a Choice or a Pass is left as it is (SnapshotSets' SetMode).
        const timeout = originals[child].Type === 'Task' ? { TimeoutSeconds: 2_147_483 } : {};
        expect(adaptedChild).toEqual({ ...originals[child], ...timeout });
      }
    }
  });

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
    expect(adaptForLocalRun(inline)).toEqual({ definition: inline, distributedMaps: {}, parallels: {} });
  });
});

describe('adaptForLocalRun: a Parallel state, and a Distributed Map in one of its branches', () => {
  const lambda = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
  const fanOut = {
    Type: 'Map',
    ItemReader: {
      Resource: 'arn:aws:states:::s3:getObject',
      Parameters: { 'Bucket.$': '$.b', 'Key.$': '$.k' },
    },
    ItemProcessor: {
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      StartAt: 'Child',
      States: { Child: { Type: 'Task', Resource: lambda('child'), End: true } },
    },
    ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'b', Prefix: 'p' } },
    ResultPath: '$.run',
    Next: 'After',
  };
  const parallel = {
    Type: 'Parallel',
    Parameters: { 'x.$': '$.x' },
    Branches: [
      {
        StartAt: 'Fan',
        States: { Fan: fanOut, After: { Type: 'Task', Resource: lambda('after'), End: true } },
      },
      { StartAt: 'Idle', States: { Idle: { Type: 'Pass', End: true } } },
    ],
    OutputPath: '$[1]',
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }],
    Next: 'Done',
  };
  const definition = {
    StartAt: 'Both',
    TimeoutSeconds: 3600,
    States: { Both: parallel, Done: { Type: 'Succeed' } },
  };
  const original = structuredClone(definition);
  const { definition: adapted, distributedMaps, parallels } = adaptForLocalRun(definition);

  it("THEN the Parallel is a Task of the same name keeping every field a Task shares with it, Parameters included, with the execution's timeout", () => {
    expect(adapted.States.Both).toEqual({
      Type: 'Task',
      Resource: LOCAL_PARALLEL_RESOURCE,
      TimeoutSeconds: 3600,
      Parameters: parallel.Parameters,
      OutputPath: '$[1]',
      Catch: parallel.Catch,
      Next: 'Done',
    });
    expect(adapted.States.Done).toEqual({ Type: 'Succeed' });
  });

  it("THEN its branches are adapted as the top level is: the Distributed Map a local Task found by its name, a Task given AWS's default timeout, the rest untouched", () => {
    const [withMap, idle] = parallels.Both.Branches;
    expect(withMap.StartAt).toBe('Fan');
    expect(withMap.States.Fan).toEqual({
      Type: 'Task',
      Resource: LOCAL_DISTRIBUTED_MAP_RESOURCE,
      TimeoutSeconds: 3600,
      ResultPath: '$.run',
      Next: 'After',
    });
    expect(withMap.States.After).toEqual({
      ...fanOut.ItemProcessor.States.Child,
      End: true,
      Resource: lambda('after'),
      TimeoutSeconds: 3600,
    });
    expect(idle).toEqual(original.States.Both.Branches[1]);
    expect(distributedMaps.Fan.ItemReader).toEqual(fanOut.ItemReader);
    expect(distributedMaps.Fan.ItemProcessor.States.Child.TimeoutSeconds).toBe(2_147_483);
    expect(definition).toEqual(original);
  });

  it('GIVEN a name used in a branch and at the top level WHEN adapted THEN refused, naming it: states are found by name', () => {
    const clash = structuredClone(definition) as AslDefinition;
    clash.States.Both.Branches[1].States = { Done: { Type: 'Pass', End: true } };
    clash.States.Both.Branches[1].StartAt = 'Done';
    expect(() => adaptForLocalRun(clash)).toThrow('State name Done is used twice');
  });
});

describe('restartAt: where a redrive continues', () => {
  const definition = {
    StartAt: 'A',
    States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Parameters: { 'n.$': '$.n' }, End: true } },
  };

  it('GIVEN a state WHEN restarted there THEN a copy with only StartAt changed', () => {
    expect(restartAt(definition, 'B')).toEqual({ ...definition, StartAt: 'B' });
    expect(definition.StartAt).toBe('A');
  });

  it('GIVEN an unknown state WHEN restarted there THEN an error names it', () => {
    expect(() => restartAt(definition, 'Nope')).toThrow('Nope');
  });

  it.each(['$$.Execution.Input', '$$.Execution.StartTime'])(
    'GIVEN a definition reading %s WHEN restarted THEN refused (the local engine would change it)',
    (field) => {
      const reading = {
        ...definition,
        States: { ...definition.States, B: { Type: 'Pass', Parameters: { 'x.$': field }, End: true } },
      };
      expect(() => restartAt(reading, 'B')).toThrow(field);
    },
  );
});
