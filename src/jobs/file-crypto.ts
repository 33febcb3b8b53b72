/**
 * decrypt and encrypt for people: files, stdin/stdout or s3:// objects, streaming both ways. A decrypt
 * to a file writes a private temporary file and renames it only once every chunk has authenticated,
 * so a failed run never leaves partial plaintext behind.
 */
import type { BackupStore } from '../storage/backup-store.js';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, realpathSync } from 'node:fs';
import { link, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupError, InputError } from '../errors.js';
import { createDecryptStream } from '../crypto/decrypt-stream.js';
import { createEncryptStream } from '../crypto/encrypt-stream.js';
import type { DataKeyOpener, DataKeySource } from '../crypto/data-keys.js';
import { LegacyDecryptStream } from '../crypto/legacy.js';
import { Keyring, type KeyEncryptionKey } from '../crypto/keys.js';
import { parseS3Url } from '../config/settings.js';
import type { S3Settings } from '../storage/store-settings.js';
import { backupIdOfName } from '../naming/backup-names.js';
import type { Logger } from '../log.js';
import { onInterrupt } from '../util/interrupts.js';
import { hasOwnedChunks, withOwnedChunks } from '../util/owned-chunks.js';
import { FILE_READ_CHUNK_BYTES, openFileReader } from '../storage/local/direct-file-reader.js';
import { errorMessage, errorCode } from '../util/error-text.js';

export interface FileEndpoints {
  input: string;
  output: string;
  s3: S3Settings;
  /** An az:// or gs:// input: the store holding it, opened like a target, and the object's key in it. */
  remote?: { store: BackupStore; key: string };
}

export async function openInput(input: string, s3: S3Settings, remote?: FileEndpoints['remote']): Promise<Readable> {
  if (input === '-') return process.stdin;
  if (remote) return remote.store.get(remote.key);
  if (input.startsWith('s3://')) {
    const { bucket, key } = parseS3Url('in', input);
    if (!key) throw new InputError('in', 'names a bucket but no object key');
    // The AWS SDK is loaded only for an s3:// input.
    const [{ GetObjectCommand }, { createS3Client }, { s3Error }] = await Promise.all([
      import('@aws-sdk/client-s3'),
      import('../storage/s3/s3-open.js'),
      import('../storage/s3/s3-store.js'),
    ]);
    try {
      const out = await createS3Client(s3).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body as Readable;
    } catch (error) {
      throw s3Error(`downloading ${input}`, error, bucket, key);
    }
  }
  const cannotOpen = (error: unknown) => new InputError('in', `cannot open ${input}: ${errorCode(error) ?? errorMessage(error)}`);
  const regular = await stat(input).then(
    (s) => s.isFile(),
    (error: unknown) => Promise.reject(cannotOpen(error)),
  );
  // A regular file is read as a local store reads a backup: around the page cache where the file system allows it,
  // in chunks of their own. Anything else (a pipe, a device) has no size to read up to and streams as it comes.
  if (regular) return withOwnedChunks(await openFileReader(input, FILE_READ_CHUNK_BYTES).catch((error: unknown) => Promise.reject(cannotOpen(error))));
  const stream = createReadStream(input);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error) => reject(cannotOpen(error)));
  });
  return stream;
}

/** Refuses an --out that exists (unless --force) or that is the input itself, before anything is read. */
function checkOutput(input: string, output: string, force: boolean): void {
  if (output === '-') return;
  if (input !== '-' && !/^[a-z0-9]+:\/\//.test(input) && existsSync(input) && existsSync(output) && realpathSync(input) === realpathSync(output)) {
    throw new InputError('out', `is the input file itself (${output})`, 'write to another file');
  }
  if (!force && existsSync(output))
    throw new InputError('out', `${output} already exists; nothing was written`, 'choose another file, or pass --force to replace it');
}

/** Streams `source` through `transform` into `output`; a file output appears only on success, also when interrupted. */
async function writeOutput(output: string, source: Readable, transform: NodeJS.ReadWriteStream, force: boolean): Promise<void> {
  if (output === '-') {
    await pipeline(source, transform, process.stdout as Writable, { end: false });
    return;
  }
  const tmp = join(dirname(output), `.${basename(output)}.partial-${randomBytes(6).toString('hex')}`);
  const release = onInterrupt(`partial file ${tmp} removed`, () => unlink(tmp).catch(() => undefined));
  try {
    await pipeline(source, transform, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
    if (force) await rename(tmp, output);
    else {
      // link refuses an output that appeared meanwhile; rename would replace it.
      await link(tmp, output).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'EEXIST' ? new InputError('out', `${output} appeared while writing; nothing was replaced`, 'pass --force to replace it') : error;
      });
    }
  } finally {
    release();
    await unlink(tmp).catch(() => undefined);
  }
}

export async function decryptFile(
  endpoints: FileEndpoints,
  keys: { opener: DataKeyOpener; legacyKeys: KeyEncryptionKey[] },
  options: { legacy: boolean; backupId?: string; skipBackupIdCheck: boolean; force: boolean },
  log: Logger,
): Promise<{ backupId: string | undefined; keyId: string | undefined }> {
  if (!endpoints.input) throw new InputError('in', 'is required (a file, s3://bucket/key, az://account/container/key, gs://bucket/key, or -)');
  if (!endpoints.output) throw new InputError('out', 'is required (a file, or - for stdout)');
  checkOutput(endpoints.input, endpoints.output, options.force);
  const source = await openInput(endpoints.input, endpoints.s3, endpoints.remote);
  if (options.legacy) {
    if (!keys.legacyKeys.length) throw new InputError('encryption-key', 'is required to read a legacy object (or give encryption-keyring)');
    await writeOutput(endpoints.output, source, new LegacyDecryptStream(new Keyring(keys.legacyKeys)), options.force);
    log.info(`decrypted legacy object ${endpoints.input}`);
    return { backupId: undefined, keyId: undefined };
  }
  const expected = options.backupId ?? backupIdOfName(endpoints.input);
  if (!expected && options.skipBackupIdCheck)
    log.warn(`${endpoints.input} is not named like a backup and skip-backup-id-check is set: its identity is not checked`);
  let seen: { backupId: string; keyId: string } | undefined;
  const decryptor = createDecryptStream({
    opener: keys.opener,
    freeInput: hasOwnedChunks(source),
    ...(expected ? { expectedBackupId: expected } : {}),
    onHeader: (h) => {
      seen = { backupId: h.backupId, keyId: h.keyId };
      // Checked once the header has authenticated (so a legacy or foreign file is named as such first).
      if (!expected && !options.skipBackupIdCheck) {
        throw new InputError(
          'backup-id',
          `is required: ${endpoints.input} is not named like a backup, so nothing shows which backup it must be (its header says ${h.backupId})`,
          'pass --backup-id with the backup you mean to decrypt, or --skip-backup-id-check to accept whichever it is',
        );
      }
    },
  });
  await writeOutput(endpoints.output, source, decryptor, options.force);
  log.info(`decrypted backup ${seen?.backupId} (key ${seen?.keyId}) to ${endpoints.output === '-' ? 'stdout' : endpoints.output}`);
  return { backupId: seen?.backupId, keyId: seen?.keyId };
}

export async function encryptFile(
  endpoints: FileEndpoints,
  keySource: DataKeySource,
  options: { backupId?: string; chunkSize: number; force: boolean },
  log: Logger,
): Promise<{ backupId: string }> {
  if (!endpoints.input) throw new InputError('in', 'is required (a file, or -)');
  if (!endpoints.output) throw new InputError('out', 'is required (a file, or - for stdout)');
  checkOutput(endpoints.input, endpoints.output, options.force);
  if (endpoints.output.startsWith('s3://')) throw new InputError('out', 'must be a file or -; upload backups with the backup command');
  const backupId = options.backupId ?? backupIdOfName(endpoints.output);
  if (!backupId) {
    throw new InputError(
      'backup-id',
      'is required when --out is not named vault-snapshot-YYYYMMDD-HHMMSS.enc',
      'the id is bound into the file so it cannot be passed off as another backup',
    );
  }
  const source = await openInput(endpoints.input, endpoints.s3);
  const encryptor = await createEncryptStream({ keySource, backupId, chunkSize: options.chunkSize });
  encryptor.freeInput = hasOwnedChunks(source);
  try {
    await writeOutput(endpoints.output, source, encryptor, options.force);
  } catch (error) {
    throw error instanceof BackupError ? error : new BackupError('crypto', `encrypting ${endpoints.input} failed: ${errorMessage(error)}`, { cause: error });
  }
  log.info(`encrypted ${endpoints.input} as backup ${backupId} with ${keySource.description}`);
  return { backupId };
}
