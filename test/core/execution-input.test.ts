import { InvalidInputError } from '../../lambdas/core/errors';
import { parseExecutionInput } from '../../lambdas/core/execution-input';

describe('parseExecutionInput (SPEC §6)', () => {
  it('GIVEN {} WHEN parsed THEN a full run', () => {
    expect(parseExecutionInput({})).toEqual({ dryRun: false });
  });

  it("GIVEN the console's pre-filled Comment WHEN parsed THEN a full run", () => {
    expect(parseExecutionInput({ Comment: 'Insert your JSON here' })).toEqual({ dryRun: false });
  });

  it('GIVEN instanceIds and dryRun WHEN parsed THEN both kept, duplicates removed', () => {
    expect(
      parseExecutionInput({
        instanceIds: ['i-0123456789abcdef0', 'i-0123456789abcdef0', 'i-12345678'],
        dryRun: true,
      }),
    ).toEqual({ instanceIds: ['i-0123456789abcdef0', 'i-12345678'], dryRun: true });
  });

  it('GIVEN volumeIds (a re-run of the failed volumes) WHEN parsed THEN kept, duplicates removed', () => {
    expect(
      parseExecutionInput({ volumeIds: ['vol-0123456789abcdef0', 'vol-12345678', 'vol-12345678'] }),
    ).toEqual({ volumeIds: ['vol-0123456789abcdef0', 'vol-12345678'], dryRun: false });
  });

  it.each([
    [
      { dryrun: true },
      'dryrun',
      /unknown field; accepted fields are instanceIds, volumeIds, dryRun, Comment/,
    ],
    [{ volumeIds: [] }, 'volumeIds', /must be a list of 1 to 1000 volume IDs like "vol-0123456789abcdef0"/],
    [
      { volumeIds: ['vol-0123456789abcdef0', 'i-0123456789abcdef0'] },
      'volumeIds[1]',
      /must be a volume ID.*got "i-/,
    ],
    [
      { volumeIds: ['vol-0123456789abcdef0'], instanceIds: ['i-0123456789abcdef0'] },
      'volumeIds',
      /cannot be given with instanceIds/,
    ],
    [{ dryRun: 'yes' }, 'dryRun', /must be true or false, got "yes"/],
    [{ instanceIds: 'i-0123456789abcdef0' }, 'instanceIds', /must be a list of 1 to 1000 instance IDs/],
    [{ instanceIds: [] }, 'instanceIds', /must be a list/],
    [
      { instanceIds: ['i-0123456789abcdef0', 'web-1'] },
      'instanceIds[1]',
      /must be an instance ID.*got "web-1"/,
    ],
    [{ instanceIds: [42] }, 'instanceIds[0]', /got 42/],
    [{ Comment: 1 }, 'Comment', /must be a string/],
    [[], '(input)', /must be a JSON object/],
    [null, '(input)', /must be a JSON object/],
    ['run', '(input)', /must be a JSON object/],
  ])('GIVEN %j WHEN parsed THEN InvalidInput names %s', (input, field, message) => {
    let thrown: unknown;
    try {
      parseExecutionInput(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    const error = thrown as InvalidInputError;
    expect(error.name).toBe('InvalidInput');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(new RegExp(`^${field.replace(/[[\]()]/g, '\\$&')}: `));
    expect(error.message).toMatch(message);
  });
});
