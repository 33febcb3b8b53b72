/** Canary secrets after a restore: present, and with the expected value hash when one is given. */
import { describe, expect, it } from '@jest/globals';
import { RestoreError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/log.js';
import { canonicalSha256, readCanaries } from '../../src/restore/canaries.js';
import type { Vault } from '../../src/vault/vault-client.js';

/** A cluster that holds `secrets` (path → data) and answers readKv from them. */
const cluster = (secrets: Record<string, Record<string, unknown>>) => ({ readKv: async (_token: string, path: string) => secrets[path] }) as unknown as Vault;

describe('canonicalSha256', () => {
  it.each([
    [
      { b: 1, a: 2 },
      { a: 2, b: 1 },
    ],
    [{ outer: { z: [1, { y: 2, x: 3 }], a: 'v' } }, { outer: { a: 'v', z: [1, { x: 3, y: 2 }] } }],
  ])('is the same for the same data in any key order (%j)', (one, other) => {
    expect(canonicalSha256(one)).toBe(canonicalSha256(other));
  });

  it('is the SHA-256 of `jq -cS` output', () => {
    // printf '{"a":"1","b":"2"}' | sha256sum
    expect(canonicalSha256({ b: '2', a: '1' })).toBe('21f76dfbfe6dfe21f762080ef484112cf2952974cef30741fd1931e1c6d92112');
  });
});

describe('readCanaries', () => {
  const data = { owner: 'platform', value: 'still-here' };
  it.each([
    ['present, no hash', [{ path: 'secret/canary' }], [{ path: 'secret/canary', found: true, hashChecked: false }]],
    ['present, hash matches', [{ path: 'secret/canary', sha256: canonicalSha256(data) }], [{ path: 'secret/canary', found: true, hashChecked: true }]],
    [
      'hash compared without case',
      [{ path: 'secret/canary', sha256: canonicalSha256(data).toUpperCase() }],
      [{ path: 'secret/canary', found: true, hashChecked: true }],
    ],
  ])('%s', async (_name, canaries, expected) => {
    const log = new MemoryLogger();
    await expect(readCanaries(cluster({ 'secret/canary': data }), 't', canaries, log)).resolves.toEqual(expected);
    expect(log.lines.join('\n')).not.toContain('still-here');
  });

  it.each([
    ['missing', [{ path: 'secret/gone' }], /canary secret secret\/gone is missing from the restored data/],
    [
      'a different value',
      [{ path: 'secret/canary', sha256: canonicalSha256({ owner: 'platform', value: 'changed' }) }],
      /restored with a different value than expected/,
    ],
    ['the second of two missing', [{ path: 'secret/canary' }, { path: 'secret/gone' }], /secret\/gone is missing/],
  ])('fails when a canary is %s, naming it and never its value', async (_name, canaries, message) => {
    const run = readCanaries(cluster({ 'secret/canary': data }), 't', canaries, new MemoryLogger());
    await expect(run).rejects.toBeInstanceOf(RestoreError);
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.not.toThrow(/still-here/);
  });
});
