/**
 * Key management end to end: KMS envelope against moto's KMS (encryption context enforced), keyring
 * rotation, the legacy layout, and the decrypt/encrypt commands on files and s3:// objects.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCipheriv, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, DecryptCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { main } from '../../src/cli/main.js';
import { decodeHeader, readHeaderLength, FIXED_PREFIX_LENGTH } from '../../src/crypto/format.js';
import { startMoto, type MotoServer } from '../harness/moto.js';

let moto: MotoServer;
let dir: string;
let kmsKeyId: string;
const savedEnv = { ...process.env };
const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env());
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-keys-'));
  const key = await moto.kms().send(new CreateKeyCommand({ Description: 'vault-backup test' }));
  kmsKeyId = key.KeyMetadata!.KeyId!;
  await moto.s3().send(new CreateBucketCommand({ Bucket: 'keys-test' }));
}, 60000);

afterAll(async () => {
  process.env = savedEnv;
  if (dir) rmSync(dir, { recursive: true, force: true });
  await moto?.stop();
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
}

const name = (stamp: string) => `vault-snapshot-${stamp}.enc`;

describe('keyring rotation', () => {
  it('old backups stay readable while the old key is in the keyring, and fail clearly without it', async () => {
    const plain = join(dir, 'plain-rotation.bin');
    writeFileSync(plain, randomBytes(50_000));
    const old = join(dir, name('20250101-000000'));
    expect((await cli('encrypt', '--in', plain, '--out', old, '--encryption-key', `key-a=${KEY_A}`)).code).toBe(0);

    const ring = `# rotated on 2025-06-01\nkey-b=${KEY_B}\nkey-a=${KEY_A}\n`;
    const out = join(dir, 'rotation.out');
    const ok = await cli('decrypt', '--in', old, '--out', out, '--encryption-keyring', ring);
    expect(ok.code).toBe(0);
    expect(readFileSync(out).equals(readFileSync(plain))).toBe(true);

    const missing = await cli('decrypt', '--in', old, '--out', join(dir, 'rotation-2.out'), '--encryption-keyring', `key-b=${KEY_B}`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('unknown key id "key-a"');
    expect(existsSync(join(dir, 'rotation-2.out'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});

describe('decrypt and encrypt outputs and name binding', () => {
  it('a file not named like a backup needs --backup-id or --skip-backup-id-check; --out never replaces a file unless --force', async () => {
    const plain = join(dir, 'plain-binding.bin');
    writeFileSync(plain, randomBytes(20_000));
    const enc = join(dir, name('20250404-040404'));
    expect((await cli('encrypt', '--in', plain, '--out', enc, '--encryption-key', `key-a=${KEY_A}`)).code).toBe(0);
    const anonymous = join(dir, 'copied-somewhere.bin');
    writeFileSync(anonymous, readFileSync(enc));
    const ring = `key-a=${KEY_A}`;

    const unbound = await cli('decrypt', '--in', anonymous, '--out', join(dir, 'unbound.out'), '--encryption-keyring', ring);
    expect(unbound.code).toBe(2);
    expect(unbound.stderr).toMatch(/backup-id: is required: .* is not named like a backup, .*its header says vault-snapshot-20250404-040404/);
    expect(existsSync(join(dir, 'unbound.out'))).toBe(false);
    expect(
      (await cli('decrypt', '--in', anonymous, '--out', join(dir, 'bound.out'), '--backup-id', 'vault-snapshot-20250404-040404', '--encryption-keyring', ring))
        .code,
    ).toBe(0);
    expect((await cli('decrypt', '--in', anonymous, '--out', join(dir, 'skipped.out'), '--skip-backup-id-check', '--encryption-keyring', ring)).code).toBe(0);
    expect(readFileSync(join(dir, 'skipped.out')).equals(readFileSync(plain))).toBe(true);

    // An existing output stays as it was; --force replaces it; the input itself is never the output.
    writeFileSync(join(dir, 'taken.out'), 'keep me');
    const taken = await cli('decrypt', '--in', enc, '--out', join(dir, 'taken.out'), '--encryption-keyring', ring);
    expect(taken).toMatchObject({ code: 2, stderr: expect.stringMatching(/out: .*taken\.out already exists; nothing was written .*--force/) });
    expect(readFileSync(join(dir, 'taken.out'), 'utf8')).toBe('keep me');
    expect((await cli('decrypt', '--in', enc, '--out', join(dir, 'taken.out'), '--force', '--encryption-keyring', ring)).code).toBe(0);
    expect(readFileSync(join(dir, 'taken.out')).equals(readFileSync(plain))).toBe(true);
    const self = await cli('encrypt', '--in', enc, '--out', enc, '--force', '--encryption-key', `key-a=${KEY_A}`);
    expect(self).toMatchObject({ code: 2, stderr: expect.stringContaining('is the input file itself') });
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('reads a file whole at any size, a pipe as it comes (it has no size to read up to), and names an input it cannot open', async () => {
    // Not a whole number of blocks, slabs or chunks: the direct read's last block is short.
    const plain = join(dir, 'plain-sizes.bin');
    writeFileSync(plain, randomBytes(5 * 1024 * 1024 + 4099));
    const enc = join(dir, name('20251111-111111'));
    const ring = `key-a=${KEY_A}`;
    expect((await cli('encrypt', '--in', plain, '--out', enc, '--encryption-key', ring)).code).toBe(0);
    expect((await cli('decrypt', '--in', enc, '--out', join(dir, 'sizes.out'), '--encryption-keyring', ring)).code).toBe(0);
    expect(readFileSync(join(dir, 'sizes.out')).equals(readFileSync(plain))).toBe(true);

    const fifo = join(dir, 'backup.fifo');
    execFileSync('mkfifo', [fifo]);
    const feeding = pipeline(createReadStream(enc), createWriteStream(fifo));
    const piped = await cli(
      'decrypt',
      '--in',
      fifo,
      '--out',
      join(dir, 'piped.out'),
      '--backup-id',
      'vault-snapshot-20251111-111111',
      '--encryption-keyring',
      ring,
    );
    await feeding;
    expect(piped.code).toBe(0);
    expect(readFileSync(join(dir, 'piped.out')).equals(readFileSync(plain))).toBe(true);

    const missing = await cli('decrypt', '--in', join(dir, name('20251212-121212')), '--out', join(dir, 'missing.out'), '--encryption-keyring', ring);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/in: cannot open .*vault-snapshot-20251212-121212\.enc: ENOENT/) });
    expect(existsSync(join(dir, 'missing.out'))).toBe(false);
  });
});

describe('AWS KMS envelope', () => {
  it('wraps each data key with KMS under an encryption context naming the backup', async () => {
    const plain = join(dir, 'plain-kms.bin');
    writeFileSync(plain, randomBytes(70_000));
    const enc = join(dir, name('20250202-020202'));
    const kmsArgs = ['--kms-region', 'us-east-1', '--kms-endpoint', moto.endpoint];
    const made = await cli('encrypt', '--in', plain, '--out', enc, '--kms-key-id', kmsKeyId, ...kmsArgs);
    expect(made.stderr).toContain('KMS key');
    expect(made.code).toBe(0);

    const file = readFileSync(enc);
    const header = decodeHeader(file.subarray(0, readHeaderLength(file.subarray(0, FIXED_PREFIX_LENGTH))));
    expect(header.keyId).toContain(kmsKeyId);

    // KMS enforces the context: the wrapped key does not open for another backup's id.
    await expect(
      moto.kms().send(
        new DecryptCommand({
          CiphertextBlob: header.wrappedKey,
          EncryptionContext: { 'vault-backup:backup-id': 'vault-snapshot-20990101-000000', 'vault-backup:format': '1' },
        }),
      ),
    ).rejects.toThrow();

    const out = join(dir, 'kms.out');
    const ok = await cli('decrypt', '--in', enc, '--out', out, '--kms-key-id', kmsKeyId, ...kmsArgs);
    expect(ok.code).toBe(0);
    expect(readFileSync(out).equals(readFileSync(plain))).toBe(true);

    // Renamed onto another backup's name: refused before any plaintext is written.
    const renamed = join(dir, name('20250303-030303'));
    writeFileSync(renamed, file);
    const bad = await cli('decrypt', '--in', renamed, '--out', join(dir, 'renamed.out'), '--kms-key-id', kmsKeyId, ...kmsArgs);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/holds backup vault-snapshot-20250202-020202, but was read as vault-snapshot-20250303-030303/);
    expect(existsSync(join(dir, 'renamed.out'))).toBe(false);
  });
});

describe('legacy layout (16-byte IV, tag, ciphertext)', () => {
  function legacyObject(plain: Buffer, key: Buffer): Buffer {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  it('decrypts from S3 with --legacy, and refuses a flipped bit', async () => {
    const plain = randomBytes(30_000);
    const object = legacyObject(plain, Buffer.alloc(32, 0xa1));
    await moto.s3().send(new PutObjectCommand({ Bucket: 'keys-test', Key: 'old/vault-snapshot.enc', Body: object }));
    const s3Args = ['--s3-endpoint', moto.endpoint, '--s3-region', 'us-east-1'];
    const out = join(dir, 'legacy.out');
    const ok = await cli(
      'decrypt',
      '--legacy',
      '--in',
      's3://keys-test/old/vault-snapshot.enc',
      '--out',
      out,
      '--encryption-keyring',
      `old=${KEY_A}`,
      ...s3Args,
    );
    expect(ok.code).toBe(0);
    expect(readFileSync(out).equals(plain)).toBe(true);

    // Without --legacy the tool says what the object is and what to do.
    const hint = await cli(
      'decrypt',
      '--in',
      's3://keys-test/old/vault-snapshot.enc',
      '--out',
      join(dir, 'legacy-2.out'),
      '--encryption-key',
      KEY_A,
      ...s3Args,
    );
    expect(hint.code).toBe(1);
    expect(hint.stderr).toContain('--legacy');

    const flipped = Buffer.from(object);
    flipped[40]! ^= 4;
    const badFile = join(dir, 'legacy-flipped.enc');
    writeFileSync(badFile, flipped);
    const bad = await cli('decrypt', '--legacy', '--in', badFile, '--out', join(dir, 'legacy-3.out'), '--encryption-key', KEY_A);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('legacy object failed authentication');
    expect(existsSync(join(dir, 'legacy-3.out'))).toBe(false);
  });
});

describe('key input checks', () => {
  it.each([
    [`${KEY_A}\n`, /contains whitespace/],
    ['', /encryption-key: is required/],
    ['not_base64_at_all!!', /neither base64 nor 64 hex digits/],
    [Buffer.alloc(16).toString('base64'), /decodes to 16 bytes/],
    ['ab'.repeat(31), /decodes to 31 bytes|neither base64/],
  ])('rejects %j', async (key, message) => {
    const r = await cli('encrypt', '--in', '/dev/null', '--out', join(dir, name('20250404-040404')), '--encryption-key', key);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
