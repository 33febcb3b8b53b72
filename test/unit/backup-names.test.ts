import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { backupIdAt, backupKey, manifestKeyOf, normalisePrefix, parseBackupKey } from '../../src/naming/backup-names.js';

describe('backup names', () => {
  it.each([
    ['2025-11-26T02:00:00Z', 'daily', 'daily/2025-11-26/vault-snapshot-20251126-020000.enc'],
    ['2025-11-01T02:00:00Z', 'monthly', 'monthly/2025-11/vault-snapshot-20251101-020000.enc'],
    ['2024-02-29T23:59:59.999Z', 'daily', 'daily/2024-02-29/vault-snapshot-20240229-235959.enc'],
    ['2025-12-31T23:59:59Z', 'monthly', 'monthly/2025-12/vault-snapshot-20251231-235959.enc'],
  ] as const)('%s in %s is %s', (iso, tier, key) => {
    expect(backupKey(tier, new Date(iso))).toBe(key);
  });

  it('uses UTC whatever the local time zone says', () => {
    // 2025-11-30T23:30 in UTC-5 is already December 1st in UTC.
    expect(backupKey('daily', new Date('2025-11-30T23:30:00-05:00'))).toBe('daily/2025-12-01/vault-snapshot-20251201-043000.enc');
  });

  it('pairs a manifest with its object', () => {
    expect(manifestKeyOf('daily/2025-11-26/vault-snapshot-20251126-020000.enc')).toBe('daily/2025-11-26/vault-snapshot-20251126-020000.json');
  });

  it.each([
    'daily/2025-11-26/vault-snapshot-20251127-020000.enc', // folder and name disagree
    'monthly/2025-10/vault-snapshot-20251101-020000.enc',
    'daily/2025-02-30/vault-snapshot-20250230-020000.enc', // impossible date
    'daily/2025-11-26/vault-snapshot-20251126-250000.enc',
    'daily/2025-11-26/vault-snapshot-20251126-020000.enc.bak',
    'weekly/2025-11-26/vault-snapshot-20251126-020000.enc',
    'daily/2025-11-26/notes.txt',
    'vault-snapshot-20251126-020000.enc',
    'daily/2025-11/vault-snapshot-20251126-020000.enc',
  ])('ignores foreign key %s', (key) => {
    expect(parseBackupKey(key)).toBeUndefined();
  });

  it('parses what it writes, for any second in 1970..2199 (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.constantFrom('daily', 'monthly'),
        (date, tier) => {
          const at = new Date(Math.floor(date.getTime() / 1000) * 1000);
          const key = backupKey(tier as 'daily' | 'monthly', at);
          const parsed = parseBackupKey(key);
          expect(parsed).toEqual({ key, tier, kind: 'backup', backupId: backupIdAt(at), at });
          expect(parseBackupKey(manifestKeyOf(key))?.kind).toBe('manifest');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['', ''],
    ['/', ''],
    ['prod', 'prod/'],
    ['/prod/eu/', 'prod/eu/'],
  ])('normalises prefix %j to %j', (input, out) => {
    expect(normalisePrefix(input)).toBe(out);
  });
});
