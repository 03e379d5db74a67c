import stringWidth from 'string-width';
import { MAX_CELL_WIDTH } from '../../cli/table';
import { type FinalGeneration, finalText } from '../../local/demo/report-view';
import { SimulatedAccount } from '../../local/simulated-account';
import { runOnEndpoint, tableAfter } from '../fixtures/demo-cli';

const JAPANESE = 'ウェブサーバー本番';
const LONG = `srv-${'x'.repeat(296)}`;

/** The terminal column where `cell` starts on `line`, wide characters counting two. */
function columnOf(line: string, cell: string): number {
  const at = line.indexOf(cell);
  if (at < 0) throw new Error(`${cell} is not on ${line}`);
  return stringWidth(line.slice(0, at));
}

/** The header line of the first table after `heading`, and its rows. */
function tableLines(text: string, heading: RegExp): string[] {
  const lines = text.split('\n');
  const after = lines.findIndex((line) => heading.test(line));
  const header = lines.findIndex((line, i) => i > after && /^\s*VOLUME\s/.test(line));
  const end = lines.findIndex((line, i) => i > header && !/^\s*vol-/.test(line));
  return lines.slice(header, end);
}

describe('the demo tables: Names of any width and blank ones (npm start)', () => {
  it('GIVEN instances named in Japanese, with 300 characters and a blank Name WHEN a run is shown THEN the columns stay aligned, the long Name is cut, the blank one shows the ID', async () => {
    const account = new SimulatedAccount({ ec2: { completionDelayMs: 0 } });
    const sim = account.ec2;
    const japanese = sim.addInstance({ name: JAPANESE, tags: { 'Backup-Generation': '1' } });
    const long = sim.addInstance({ name: LONG, tags: { 'Backup-Generation': '1' } });
    const blank = sim.addInstance({ name: '   ', tags: { 'Backup-Generation': '1' } });
    const unnamed = sim.addInstance({ tags: { 'Backup-Generation': '1' } });

    const { code, stdout } = await runOnEndpoint(account, ['--target', 'aws']);

    expect(code).toBe(0);
    const rows = tableAfter(stdout, /^Plan for /);
    const instanceOf = (volumeId: string) => rows.find((row) => row[0] === volumeId)?.[1];
    expect(instanceOf(japanese.volumeIds[0])).toBe(JAPANESE);
    expect(instanceOf(long.volumeIds[0])).toBe(`${LONG.slice(0, MAX_CELL_WIDTH - 1)}…`);
    expect(instanceOf(blank.volumeIds[0])).toBe(blank.instanceId);
    expect(instanceOf(unnamed.volumeIds[0])).toBe(unnamed.instanceId);
    const lines = tableLines(stdout, /^Plan for /);
    expect(lines).toHaveLength(5);
    // Every row's N (1) stands under the header's N, in terminal columns.
    const nColumn = columnOf(lines[0], ' N ') + 1;
    for (const line of lines.slice(1)) expect(columnOf(line, '  1  ') + 2).toBe(nColumn);
  });

  it('GIVEN the same Names WHEN the generations after the last run are shown THEN the columns stay aligned and the blank Name shows the ID', () => {
    const volume = (volumeId: string, instanceId: string, instanceName?: string): FinalGeneration => ({
      volumeId,
      volumeName: `${volumeId}-root`,
      instanceId,
      ...(instanceName !== undefined && { instanceName }),
      generations: 2,
      managed: 2,
      notCompleted: 0,
      status: '= N',
    });
    const text = finalText(
      [
        volume('vol-0000000000000000a', 'i-0000000000000000a', JAPANESE),
        volume('vol-0000000000000000b', 'i-0000000000000000b', LONG),
        volume('vol-0000000000000000c', 'i-0000000000000000c', ''),
        volume('vol-0000000000000000d', 'i-0000000000000000d'),
      ],
      [],
    );
    const rows = tableAfter(text, /^Generations after the last run/);
    expect(rows.map((row) => row[2])).toEqual([
      JAPANESE,
      `${LONG.slice(0, MAX_CELL_WIDTH - 1)}…`,
      'i-0000000000000000c',
      'i-0000000000000000d',
    ]);
    const lines = tableLines(text, /^Generations after the last run/);
    const statusColumn = columnOf(lines[0], 'STATUS');
    for (const line of lines.slice(1)) expect(columnOf(line, '= N')).toBe(statusColumn);
  });
});
