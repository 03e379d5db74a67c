/**
 * EventBridge Scheduler cron expressions: `cron(minutes hours day-of-month month day-of-week year)`.
 * Field ranges and wildcards as documented in
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
 * (the Scheduler user guide points there): minutes 0-59 `, - * /`; hours 0-23 `, - * /`;
 * day-of-month 1-31 `, - * ? / L W`; month 1-12 or JAN-DEC `, - * /`; day-of-week 1-7 or
 * SUN-SAT `, - * ? L #`; year 1970-2199 `, - * /`. `*` in one day field needs `?` in the other,
 * and a `#` expression must be the only one of its day-of-week field.
 */

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Which of `/ ? L W #` the field accepts (`, - *` are accepted everywhere). */
  readonly extras: string;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59, extras: '/' },
  { name: 'hours', min: 0, max: 23, extras: '/' },
  { name: 'day-of-month', min: 1, max: 31, extras: '/?LW' },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
    extras: '/',
  },
  {
    name: 'day-of-week',
    min: 1,
    max: 7,
    names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
    extras: '?L#',
  },
  { name: 'year', min: 1970, max: 2199, extras: '/' },
];

/** What a field accepts, as the error message shows it. */
function acceptedValues(field: FieldSpec): string {
  const values = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''}`;
  return `${values} with , - *${[...field.extras].map((c) => ` ${c}`).join('')}`;
}

/** A day-of-month or day-of-week rule beyond plain values: `L`, `15W`, `LW`, `6L`, `2#1`. */
type DayRule =
  | { kind: 'last' }
  | { kind: 'lastWeekday' }
  | { kind: 'nearestWeekday'; day: number }
  | { kind: 'lastOfWeekday'; weekday: number }
  | { kind: 'nthWeekday'; weekday: number; nth: number };

/** One parsed field: the plain values it selects, the special rules, or `?`. */
interface Field {
  readonly any: boolean;
  readonly values: ReadonlySet<number>;
  readonly rules: readonly DayRule[];
}

export class CronError extends Error {}

function fieldError(field: FieldSpec, text: string): CronError {
  return new CronError(`has ${field.name} "${text}", which is not ${acceptedValues(field)}`);
}

function parseField(field: FieldSpec, text: string): Field {
  const fail = () => fieldError(field, text);
  const has = (extra: string) => field.extras.includes(extra);
  if (text === '?') {
    if (!has('?')) throw fail();
    return { any: true, values: new Set(), rules: [] };
  }
  const items = text.toUpperCase().split(',');
  const value = (raw: string): number => {
    const named = field.names?.indexOf(raw) ?? -1;
    const parsed = named >= 0 ? named + field.min : /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(parsed >= field.min && parsed <= field.max)) throw fail();
    return parsed;
  };
  const values = new Set<number>();
  const rules: DayRule[] = [];
  for (const item of items) {
    const special = specialDay(field, item, value);
    if (special) {
      if (special.kind === 'nthWeekday' && items.length > 1) {
        throw new CronError(`has ${field.name} "${text}": a # expression must be the field's only one`);
      }
      rules.push(special);
      continue;
    }
    const [range, step, ...rest] = item.split('/');
    if (rest.length > 0 || (step !== undefined && (!has('/') || !/^[0-9]+$/.test(step)))) throw fail();
    const increment = step === undefined ? 1 : Number(step);
    if (increment < 1 || increment > field.max) throw fail();
    let [start, end] = [field.min, field.max];
    if (range !== '*') {
      const [from, to, ...more] = range.split('-');
      if (more.length > 0) throw fail();
      start = value(from);
      end = to === undefined ? (step === undefined ? start : field.max) : value(to);
    }
    // A range that wraps (e.g. hours 22-2, FRI-MON) runs past the maximum back to the minimum.
    const span = end >= start ? end - start : end - start + field.max - field.min + 1;
    for (let offset = 0; offset <= span; offset += increment) {
      values.add(((start - field.min + offset) % (field.max - field.min + 1)) + field.min);
    }
  }
  return { any: false, values, rules };
}

function specialDay(field: FieldSpec, item: string, value: (raw: string) => number): DayRule | undefined {
  if (field.name === 'day-of-month') {
    if (item === 'L') return { kind: 'last' };
    if (item === 'LW') return { kind: 'lastWeekday' };
    const nearest = /^([0-9]+)W$/.exec(item);
    if (nearest) return { kind: 'nearestWeekday', day: value(nearest[1]) };
  }
  if (field.name === 'day-of-week') {
    if (item === 'L') return { kind: 'lastOfWeekday', weekday: 7 };
    const last = /^([A-Z0-9]+)L$/.exec(item);
    if (last) return { kind: 'lastOfWeekday', weekday: value(last[1]) };
    const nth = /^([A-Z0-9]+)#([0-9]+)$/.exec(item);
    if (nth) {
      const count = Number(nth[2]);
      if (count < 1 || count > 5) throw fieldError(field, item);
      return { kind: 'nthWeekday', weekday: value(nth[1]), nth: count };
    }
  }
  return undefined;
}

export interface CronSchedule {
  readonly minutes: Field;
  readonly hours: Field;
  readonly dayOfMonth: Field;
  readonly month: Field;
  readonly dayOfWeek: Field;
  readonly year: Field;
}

/**
 * How much a day can stretch in the time zone (a daylight-saving change), in minutes: the
 * difference between its UTC offsets in January and July.
 */
export function daylightSavingShiftMinutes(timeZone: string, year = 2027): number {
  const offset = (month: number) => {
    const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(Date.UTC(year, month, 1)))
      .find((part) => part.type === 'timeZoneName')?.value;
    const [, sign, hours, minutes] = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '') ?? ['', '+', '0', '0'];
    return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
  };
  return Math.abs(offset(0) - offset(6));
}

export const CRON_SHAPE =
  'is not an EventBridge Scheduler cron expression: cron(minutes hours day-of-month month day-of-week year), ' +
  'with ? in exactly one of the day fields (e.g. cron(0 3 * * ? *))';

/** Parses `cron(...)`, checking every field's range; throws CronError with the reason. */
export function parseCron(expression: string): CronSchedule {
  const fields = /^cron\((.*)\)$/.exec(expression)?.[1].trim().split(/\s+/) ?? [];
  if (fields.length !== FIELDS.length) throw new CronError(CRON_SHAPE);
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields.map((text, index) =>
    parseField(FIELDS[index], text),
  );
  if (dayOfMonth.any === dayOfWeek.any) throw new CronError(CRON_SHAPE);
  return { minutes, hours, dayOfMonth, month, dayOfWeek, year };
}

const DAY_MINUTES = 24 * 60;
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 = Sunday … 7 = Saturday, as the cron's day-of-week counts. */
const weekdayOf = (year: number, month: number, day: number) =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

/** The weekday (Monday to Friday) closest to `day`, without leaving its month. */
function nearestWeekday(year: number, month: number, day: number): number {
  const weekday = weekdayOf(year, month, day);
  if (weekday === 7) return day === 1 ? 3 : day - 1;
  if (weekday === 1) return day === daysIn(year, month) ? day - 2 : day + 1;
  return day;
}

function matchesRule(rule: DayRule, year: number, month: number, day: number): boolean {
  const length = daysIn(year, month);
  const weekday = weekdayOf(year, month, day);
  switch (rule.kind) {
    case 'last':
      return day === length;
    case 'lastWeekday':
      return day === nearestWeekday(year, month, length);
    case 'nearestWeekday':
      return rule.day <= length && day === nearestWeekday(year, month, rule.day);
    case 'lastOfWeekday':
      return weekday === rule.weekday && day + 7 > length;
    case 'nthWeekday':
      return weekday === rule.weekday && Math.ceil(day / 7) === rule.nth;
  }
}

function matchesDay(schedule: CronSchedule, year: number, month: number, day: number): boolean {
  if (!schedule.month.values.has(month)) return false;
  const field = schedule.dayOfMonth.any ? schedule.dayOfWeek : schedule.dayOfMonth;
  const plain = schedule.dayOfMonth.any ? weekdayOf(year, month, day) : day;
  return field.values.has(plain) || field.rules.some((rule) => matchesRule(rule, year, month, day));
}

/**
 * The longest time between two consecutive runs, in minutes of wall-clock time, over four
 * years (leap days included), ignoring the year field; Infinity when it runs less than twice.
 */
export function longestGapMinutes(schedule: CronSchedule): number {
  const times = [...schedule.hours.values]
    .flatMap((hour) => [...schedule.minutes.values].map((minute) => hour * 60 + minute))
    .sort((a, b) => a - b);
  const withinDay = Math.max(0, ...times.slice(1).map((time, i) => time - times[i]));
  let longest = withinDay;
  let previous: number | undefined;
  let days = 0;
  const start = Date.UTC(2027, 0, 1);
  for (let index = 0; index < 4 * 366; index++) {
    const date = new Date(start + index * DAY_MINUTES * 60_000);
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (year > 2030 || !matchesDay(schedule, year, month, day)) continue;
    const dayStart = index * DAY_MINUTES;
    if (previous !== undefined) longest = Math.max(longest, dayStart + times[0] - previous);
    previous = dayStart + times[times.length - 1];
    days++;
  }
  return days < 2 ? Number.POSITIVE_INFINITY : longest;
}
