/**
 * The manifest schema: anyone who can write to the target can write a manifest, so every field a reader uses
 * is bounded and shaped; one field wrong per row, each refused naming the field.
 */
import { describe, expect, it } from '@jest/globals';
import { ManifestError, parseManifest } from '../../src/manifest/manifest.js';
import { seededManifest } from '../harness/seed-manifest.js';

const KEY = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';
const valid = () => JSON.parse(JSON.stringify(seededManifest(KEY, { size: 1000 }))) as Record<string, unknown>;
const bytes = (m: unknown) => Buffer.from(JSON.stringify(m));

describe('parseManifest', () => {
  it('accepts a manifest as a backup run writes it, and drops fields it does not know', () => {
    const m = { ...valid(), injected: '<script>' };
    const parsed = parseManifest(bytes(m), KEY);
    expect(parsed.backupId).toBe('vault-snapshot-20251126-020000');
    expect(parsed).not.toHaveProperty('injected');
  });

  it.each<[string, string, unknown, RegExp]>([
    ['no raft facts', 'raft', undefined, /raft: /],
    ['a raft index that is markup', 'raft.index', '<img src=x onerror=alert(1)>', /raft\.index: /],
    ['a raft index beyond 2^53', 'raft.index', 2 ** 53, /raft\.index: /],
    ['a negative term', 'raft.term', -1, /raft\.term: /],
    ['a snapshot of 2^53 bytes', 'snapshot.size', 2 ** 53, /snapshot\.size: /],
    ['a fractional encrypted size', 'encrypted.size', 1.5, /encrypted\.size: /],
    ['a digest that is not hex', 'encrypted.sha256', 'z'.repeat(64), /encrypted\.sha256: is not 64 hex digits/],
    ['a stored checksum that is not base64', 'encrypted.storedChecksum.value', 'not base64!', /encrypted\.storedChecksum\.value: is not a base64 digest/],
    ['another format', 'format', 'vault-backup-manifest/2', /format: /],
    ['a backup id of another shape', 'backupId', '../../etc/passwd', /backupId: is not a backup id/],
    ['a tier that does not exist', 'tier', 'weekly', /tier: /],
    ['a start time that is not ISO 8601', 'startedAt', 'yesterday', /startedAt: /],
    ['a key id of 300 characters', 'encryption.keyId', 'k'.repeat(300), /encryption\.keyId: /],
    ['seventeen anomalies', 'anomalies', Array.from({ length: 17 }, () => ({ kind: 'shrunk', detail: 'x', previousKey: 'y' })), /anomalies: /],
  ])('refuses %s', (_what, path, value, field) => {
    const m = valid();
    const names = path.split('.');
    let at: Record<string, unknown> = m;
    for (const name of names.slice(0, -1)) at = at[name] as Record<string, unknown>;
    at[names.at(-1)!] = value; // undefined: JSON leaves the field out
    expect(() => parseManifest(bytes(m), KEY)).toThrow(ManifestError);
    expect(() => parseManifest(bytes(m), KEY)).toThrow(field);
  });

  it('refuses text that is not JSON, and a manifest that describes another object', () => {
    expect(() => parseManifest(Buffer.from('{'), KEY)).toThrow(/is not valid JSON/);
    expect(() => parseManifest(bytes(valid()), 'daily/2025-11-26/vault-snapshot-20251126-030000.enc')).toThrow(
      /describes daily\/2025-11-26\/vault-snapshot-20251126-020000\.enc/,
    );
  });
});
