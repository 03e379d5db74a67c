import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefinitionTemplate } from '../../statemachine/definition';
import { mermaidDiagram, withDiagram } from '../../statemachine/diagram';

describe('the workflow diagram in README.md', () => {
  const definition = loadDefinitionTemplate();
  const diagram = mermaidDiagram(definition);

  it('GIVEN the README WHEN the diagram is regenerated from the ASL THEN nothing changes (run `npm run diagram`)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(withDiagram(readme, diagram)).toBe(readme);
  });

  it('THEN every state and every transition of the definition is drawn, Parallel branches included', () => {
    type State = { Next?: string; Branches?: { States: Record<string, State> }[] };
    const every = (states: Record<string, State>): [string, State][] =>
      Object.entries(states).flatMap(([name, state]) => [
        [name, state] as [string, State],
        ...(state.Branches ?? []).flatMap((branch) => every(branch.States)),
      ]);
    for (const [name, state] of every(definition.States)) {
      expect(diagram).toMatch(new RegExp(`^\\s+(subgraph )?${name}[\\[{(]`, 'm'));
      if (state.Next) expect(diagram).toContain(`${name} --> ${state.Next}`);
    }
    expect(diagram).toContain('CreateSnapshot[CreateSnapshot');
    expect(diagram).toContain(
      'subgraph SnapshotAndPrune["SnapshotAndPrune (Parallel: its branches at once)"]',
    );
    expect(diagram).toContain('IsDryRun -->|dryRun = true| RecordSnapshotRun');
    expect(diagram).toContain('AnyToPrune -->|pruneBatch.count > 0| PruneVolumes');
    expect(diagram).toContain('AwaitSnapshots -.->|States.ALL| ListUnprunedVolumes');
    expect(diagram).toContain('PruneSnapshots -.->|MoreToPrune| PruneSnapshots');
  });

  it('GIVEN a README without markers WHEN updated THEN it says which markers are missing', () => {
    expect(() => withDiagram('# no markers', diagram)).toThrow('workflow-diagram:start');
  });

  it('GIVEN a changed definition WHEN drawn THEN the diagram changes', () => {
    const changed = structuredClone(definition);
    changed.States.Discover.Next = 'Summarise';
    expect(mermaidDiagram(changed)).not.toBe(diagram);
  });
});
