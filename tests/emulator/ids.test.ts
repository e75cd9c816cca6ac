import { describe, expect, it } from 'vitest';
import { IdGenerator, idChecksum, isValidId, to18 } from '../../local/emulator/ids.ts';

describe('Salesforce Ids', () => {
  it.each([
    // Published 15 → 18 pairs (the suffix encodes upper-case positions).
    ['001D000000IqhSL', '001D000000IqhSLIAZ'],
    ['0015000000Gv7qJ', '0015000000Gv7qJAAR'],
    ['00Q5000000abcde', to18('00Q5000000abcde')],
  ])('converts %s to its 18-character form', (id15, id18) => {
    expect(to18(id15)).toBe(id18);
    expect(idChecksum(id15)).toBe(id18.slice(15));
  });

  it('accepts 15 and 18 character Ids and rejects bad checksums and shapes', () => {
    expect(isValidId('001D000000IqhSL')).toBe(true);
    expect(isValidId('001D000000IqhSLIAZ')).toBe(true);
    expect(isValidId('001D000000IqhSLiaz')).toBe(true);
    expect(isValidId('001D000000IqhSLAAA')).toBe(false);
    expect(isValidId('001D000000IqhS')).toBe(false);
    expect(isValidId('001D000000Iqh-LIAZ')).toBe(false);
  });

  it('generates unique, valid Ids with the key prefix and resumes a sequence', () => {
    const gen = new IdGenerator();
    const a = gen.next('003');
    const b = gen.next('003');
    expect(a).toHaveLength(18);
    expect(a.startsWith('003')).toBe(true);
    expect(a).not.toBe(b);
    expect(isValidId(a)).toBe(true);
    expect(IdGenerator.sequenceOf(b)).toBe(2);
    const restarted = new IdGenerator();
    restarted.resume('003', IdGenerator.sequenceOf(b));
    expect(restarted.next('003')).not.toBe(b);
  });
});
