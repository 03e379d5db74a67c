// Regenerates the workflow diagram in README.md from statemachine/ebs-generation-backup.asl.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefinitionTemplate } from '../statemachine/definition';
import { mermaidDiagram, withDiagram } from '../statemachine/diagram';

const readmePath = join(__dirname, '..', 'README.md');
writeFileSync(
  readmePath,
  withDiagram(readFileSync(readmePath, 'utf8'), mermaidDiagram(loadDefinitionTemplate())),
);
console.log('README.md: workflow diagram regenerated');
