import { describe, expect, it } from 'vitest';
import { interpretObjectCreated, runIdFor } from '../../functions/trigger/run-id.ts';

const detail = (key: string, extra: Record<string, unknown> = {}) => ({
  bucket: { name: 'landing' },
  object: { key, size: 120, etag: 'abc123', ...extra },
});

describe('interpretObjectCreated', () => {
  it.each([
    ['incoming/care-tasks/2026-01.csv', 'care-tasks'],
    ['incoming/patients/sub/dir/file.CSV', 'patients'],
  ])('starts a run of the pipeline named after incoming/ for %s', (key, pipeline) => {
    const outcome = interpretObjectCreated(detail(key));
    expect(outcome).toMatchObject({
      kind: 'run',
      pipeline,
      source: { bucket: 'landing', key, etag: 'abc123', size: 120 },
    });
  });

  it.each([
    ['outgoing/care-tasks/a.csv'],
    ['incoming/a.csv'],
    ['incoming/care-tasks/readme.txt'],
    ['incoming/care-tasks/'],
    ['incoming//a.csv'],
  ])('ignores %s', (key) => {
    expect(interpretObjectCreated(detail(key)).kind).toBe('ignored');
  });

  it('keeps the version id and strips quotes from the ETag', () => {
    const outcome = interpretObjectCreated(detail('incoming/p/a.csv', { etag: '"e1"', 'version-id': 'v9' }));
    expect(outcome).toMatchObject({ source: { etag: 'e1', versionId: 'v9' } });
  });
});

describe('runIdFor', () => {
  const source = { bucket: 'landing', key: 'incoming/p/a.csv', etag: 'e1' };

  it('is the pipeline and 20 hex characters of the object identity', () => {
    expect(runIdFor('care-tasks', source)).toMatch(/^care-tasks-[0-9a-f]{20}$/);
  });

  it('gives the same name for the same object version and another for another version', () => {
    expect(runIdFor('p', { ...source, versionId: 'v1' })).toBe(runIdFor('p', { ...source, versionId: 'v1' }));
    expect(runIdFor('p', { ...source, versionId: 'v1' })).not.toBe(
      runIdFor('p', { ...source, versionId: 'v2' }),
    );
    expect(runIdFor('p', source)).not.toBe(runIdFor('p', { ...source, etag: 'e2' }));
  });

  it('prefers the version id over the ETag', () => {
    expect(runIdFor('p', { ...source, versionId: 'v1' })).toBe(
      runIdFor('p', { ...source, etag: 'other', versionId: 'v1' }),
    );
  });

  it('fits Step Functions execution names: at most 80 of [A-Za-z0-9-_]', () => {
    const id = runIdFor(`${'x'.repeat(100)}.with spaces/ü`, source);
    expect(id.length).toBeLessThanOrEqual(80);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(runIdFor('a b', source)).toMatch(/^a_b-/);
  });
});
