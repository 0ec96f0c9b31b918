// The hand-written readings of the frame's small state files (the selection state, the service
// state, the sync attempts, the hide list) against their schemas: wherever one accepts, its schema
// accepts too and builds the same object, key for key and in the same order; each reads what the
// frame writes; and a damaged file goes to the schema, which decides as before.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  initialServiceState,
  quickServiceState,
  type ServiceState,
  serviceStateSchema,
} from '../../src/frame/state.js';
import { attemptsSchema, quickAttempts } from '../../src/library/attempts.js';
import { hiddenSchema, quickHidden } from '../../src/library/hidden.js';
import { quickStateFile, selectionStateSchema } from '../../src/library/selection/state.js';
import { type Json, mutate, mutationOf } from '../support/json-mutations.js';

interface Reader {
  quick(raw: unknown): unknown;
  schema(): Promise<{ safeParse(raw: unknown): { success: boolean; data?: unknown } }>;
}

/** The two readings agree wherever the quick one accepts; returns whether it did. */
async function agrees(reader: Reader, raw: unknown): Promise<boolean> {
  const quick = reader.quick(raw);
  if (quick === null) return false;
  const full = (await reader.schema()).safeParse(raw);
  expect(full.success, JSON.stringify(raw).slice(0, 300)).toBe(true);
  expect(isDeepStrictEqual(quick, full.data)).toBe(true);
  expect(JSON.stringify(quick)).toBe(JSON.stringify(full.data));
  return true;
}

const str = fc.string({ maxLength: 8 });
const iso = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());
const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as Json;

const selection = fc
  .record(
    {
      format: fc.constant(1),
      mode: nullable(fc.constantFrom('random', 'sequential', 'newest', 'oldest')),
      last: nullable(fc.record({ id: str, captured_at: fc.oneof(iso, fc.constant('')) })),
      shown: fc.array(str, { maxLength: 4 }),
      deck: fc.array(str, { maxLength: 4 }),
      reason: nullable(str),
    },
    { requiredKeys: ['format', 'mode', 'last', 'shown', 'deck'] },
  )
  .map(asJson);

const refresh = fc.record(
  { at: iso, photo: str, reason: str, ids: fc.array(str, { maxLength: 2 }) },
  { requiredKeys: ['at', 'photo', 'reason'] },
);
const service = fc
  .record(
    {
      format: fc.constant(1),
      panel_shows: nullable(refresh),
      last_refresh: nullable(refresh),
      last_refresh_error: nullable(str),
      last_sync: nullable(fc.record({ at: iso, ok: fc.boolean(), summary: str })),
      sync_failures: fc.nat(),
      panel_error: nullable(str),
      panel_resets: fc.nat(),
      running: fc.boolean(),
      pid: nullable(fc.nat()),
      started_at: nullable(iso),
      next_refresh: nullable(iso),
      next_sync: nullable(iso),
      sync_running: fc.boolean(),
      sync_disabled: nullable(str),
      panel: nullable(str),
      transport: nullable(str),
      paused: fc.boolean(),
    },
    {
      requiredKeys: (Object.keys(initialServiceState()) as (keyof ServiceState)[]).filter(
        (k) => k !== 'sync_disabled' && k !== 'paused',
      ),
    },
  )
  .map(asJson);

const attempt = fc.record(
  {
    at: iso,
    by: fc.constantFrom('cli', 'service'),
    ok: fc.boolean(),
    code: str,
    error: str,
    failed: fc.integer(),
    unchanged: fc.boolean(),
  },
  { requiredKeys: ['at', 'by', 'ok'] },
);
const attempts = fc
  .record(
    { last_attempt: nullable(attempt), last_success: nullable(attempt), last_failure: nullable(attempt) },
    { requiredKeys: [] },
  )
  .map(asJson);

const hidden = fc
  .record({ format: fc.constant(1), hidden: fc.array(fc.record({ id: str, at: iso }), { maxLength: 4 }) })
  .map(asJson);

const mutation = mutationOf(
  [-1, 0, 1, 1.5, -0, 2 ** 53, '', 'x', 'random', 'not a date', '2024-01-01T00:00:00Z', null, [], {}, true],
  ['extra', 'reason', 'ids', 'code', 'paused', 'sync_disabled', 'format', '__proto__', 'constructor'],
);

const readers: [string, Reader, fc.Arbitrary<Json>][] = [
  ['selection_state.json', { quick: quickStateFile, schema: selectionStateSchema }, selection],
  ['the service state', { quick: quickServiceState, schema: serviceStateSchema }, service],
  ['sync_attempts.json', { quick: quickAttempts, schema: attemptsSchema }, attempts],
  ['the hide list', { quick: quickHidden, schema: hiddenSchema }, hidden],
];

describe.each(readers)('the quick reading of %s', (_file, reader, valid) => {
  it('reads every valid shape, exactly as the schema does', async () => {
    await fc.assert(
      fc.asyncProperty(valid, async (v) => {
        expect(await agrees(reader, v)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts nothing the schema refuses, and builds what it builds from the rest', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }), async (v, ms) => {
        if (await agrees(reader, mutate(v, ms))) accepted += 1;
        else refused += 1;
      }),
      { numRuns: 1500 },
    );
    expect(accepted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });
});

describe('what the frame writes', () => {
  it('the fresh service state and the empty attempts record read quickly', () => {
    expect(quickServiceState(asJson(initialServiceState()))).toEqual(initialServiceState());
    expect(quickAttempts({})).toEqual({ last_attempt: null, last_success: null, last_failure: null });
  });
});
