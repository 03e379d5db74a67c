import './node20-compat';
import { StateMachine } from 'aws-local-stepfunctions';

/**
 * Evaluates a payload template (Parameters, ItemSelector) or a bare path, with the engine's own
 * rules: directly when it is in the simple subset `evaluateSimpleTemplate` knows, else through
 * the engine. A Distributed Map evaluates its ItemSelector once per item; a whole engine run per
 * item (a state machine, its Pass state, its event log) dominated the local runner at 20,000 items.
 */
export async function evaluatePayloadTemplate(
  template: unknown,
  input: unknown,
  context: Record<string, unknown>,
): Promise<unknown> {
  const simple = evaluateSimpleTemplate(template, input, context);
  return simple ? simple.value : evaluateWithEngine(template, input, context);
}

/**
 * The definition was validated once as a whole (see `runLocalExecution`); validating each
 * template again would dominate the run time at thousands of items.
 */
const NOT_REVALIDATED = { validationOptions: { noValidate: true } };

/**
 * The engine's evaluation, via a Pass state. The engine adds `$$.Execution.Input` and
 * `$$.Execution.StartTime` to the context it is given, so paths to those only work here.
 */
export async function evaluateWithEngine(
  template: unknown,
  input: unknown,
  context: Record<string, unknown>,
): Promise<unknown> {
  const pass =
    typeof template === 'string'
      ? { Type: 'Pass', InputPath: template, End: true }
      : { Type: 'Pass', Parameters: template, End: true };
  return new StateMachine({ StartAt: 'Evaluate', States: { Evaluate: pass } } as never, NOT_REVALIDATED).run(
    input as never,
    { context: context as never },
  ).result;
}

/**
 * The subset of JSONPath our definition uses, without the engine: an object template whose
 * `"key.$"` values are plain dotted paths (`$`, `$.a.b`, `$$.Map.Item.Value`) through plain
 * objects, its other values constants. `undefined` for anything else (a bare path, intrinsic
 * functions, brackets, filters, wildcards, nested templates, a path through an array or to
 * nothing, a context field the engine adds): the engine then gives its own result or error.
 */
export function evaluateSimpleTemplate(
  template: unknown,
  input: unknown,
  context: unknown,
): { value: unknown } | undefined {
  if (!isPlainObject(template)) return undefined;
  const evaluated: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && typeof value === 'string') {
      const found = simplePath(value, input, context);
      if (!found) return undefined;
      // The engine strips the first `.$` of the key (`String.replace`), not only a trailing one.
      evaluated[key.replace('.$', '')] = found.value;
    } else if (isPlainObject(value) || Array.isArray(value)) {
      return undefined;
    } else {
      evaluated[key] = value;
    }
  }
  return { value: evaluated };
}

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `$`, `$.a.b`, `$$.a.b`: the value it points to, or `undefined` when that is not certain. */
function simplePath(path: string, input: unknown, context: unknown): { value: unknown } | undefined {
  const fromContext = path.startsWith('$$');
  const rest = path.slice(fromContext ? 2 : 1);
  let current = fromContext ? context : input;
  if (rest === '') return fromContext ? undefined : { value: current };
  if (!rest.startsWith('.')) return undefined;
  for (const segment of rest.slice(1).split('.')) {
    if (!SEGMENT.test(segment) || !isPlainObject(current) || !Object.hasOwn(current, segment)) {
      return undefined;
    }
    current = current[segment];
  }
  return current === undefined ? undefined : { value: current };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
