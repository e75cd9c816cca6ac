import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compileValueRule, type ValueRuleSpec } from '../../functions/shared/mapping/values/index.ts';

const run = promisify(execFile);

/** Cases whose output a host zone could disturb if any step went through local time. */
const CASES: [ValueRuleSpec, string, string][] = [
  [{ format: 'dd/MM/yyyy' }, 'date', '31/12/2025'],
  [{ format: 'dd/MM/yyyy' }, 'date', '29/02/2024'],
  [{ format: 'yyyyMMdd' }, 'date', '20260329'],
  [{ format: 'iso' }, 'date', '2026-01-01T00:30:00+14:00'],
  [{ format: 'epochSeconds', timeZone: 'UTC' }, 'date', '1767225599'],
  [{ format: 'epochSeconds', timeZone: 'Pacific/Kiritimati' }, 'date', '1767225599'],
  [{ format: 'yyyy-MM-dd HH:mm' }, 'datetime', '2026-03-29 01:30'],
  [{ format: 'yyyy-MM-dd HH:mm', timeZone: 'Europe/London' }, 'datetime', '2026-03-29 01:30'],
  [{ format: 'yyyy-MM-dd HH:mm', timeZone: 'Europe/London' }, 'datetime', '2026-10-25 01:30'],
  [{ format: 'yyyy-MM-dd HH:mm', timeZone: 'America/New_York' }, 'datetime', '2026-03-08 03:00'],
  [
    { format: 'yyyy-MM-dd HH:mm', timeZone: 'America/New_York', ambiguousTime: 'later' },
    'datetime',
    '2026-11-01 01:30',
  ],
  [{ format: 'yyyy-MM-dd HH:mm', timeZone: 'Australia/Sydney' }, 'datetime', '2026-04-05 02:30'],
  [
    { format: 'yyyy-MM-dd HH:mm', timeZone: 'Australia/Sydney', nonexistentTime: 'shiftForward' },
    'datetime',
    '2026-10-04 02:30',
  ],
  [{ format: 'yyyy-MM-dd' }, 'datetime', '2026-06-30'],
  [{}, 'time', '23:30'],
  [{ format: 'epochMillis' }, 'time', '1767225600000'],
];

const NODE = existsSync(resolve('node_modules/.bin/node'))
  ? resolve('node_modules/.bin/node')
  : process.execPath;
const LIBRARY = pathToFileURL(resolve('functions/shared/mapping/values/index.ts')).href;

const CHILD = `
import { compileValueRule } from ${JSON.stringify(LIBRARY)};
const cases = JSON.parse(process.argv[1]);
const out = cases.map(([spec, type, raw]) => compileValueRule(spec, { name: 'F', type, nillable: true })(raw));
console.log(JSON.stringify({ offset: new Date(2026, 0, 1).getTimezoneOffset(), out }));
`;

describe('host time zone', () => {
  const here = CASES.map(([spec, type, raw]) =>
    compileValueRule(spec, { name: 'F', type, nillable: true })(raw),
  );

  it('converts the sample cases as expected in this process', () => {
    expect(here.map((r) => (r.ok ? r.value : r.rule))).toEqual([
      '2025-12-31',
      '2024-02-29',
      '2026-03-29',
      '2026-01-01',
      '2025-12-31',
      '2026-01-01',
      '2026-03-29T01:30:00.000Z',
      'timeZoneGap',
      '2026-10-25T00:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-04-04T15:30:00.000Z',
      '2026-10-03T16:30:00.000Z',
      '2026-06-30T00:00:00.000Z',
      '23:30:00.000Z',
      '00:00:00.000Z',
    ]);
  });

  // getTimezoneOffset on 2026-01-01 in each zone: minutes behind UTC (ICU may spell names differently).
  it.each([
    ['Pacific/Kiritimati', -840],
    ['America/Adak', 600],
    ['Asia/Kathmandu', -345],
    ['Europe/London', 0],
  ])('gives the same results on a host in %s', async (zone, offset) => {
    const { stdout } = await run(NODE, ['--input-type=module', '-e', CHILD, JSON.stringify(CASES)], {
      env: { ...process.env, TZ: zone },
    });
    const child = JSON.parse(stdout) as { offset: number; out: unknown[] };
    // Proves the child really ran in that zone, not in the parent's.
    expect(child.offset).toBe(offset);
    expect(child.out).toEqual(here);
  });
});
