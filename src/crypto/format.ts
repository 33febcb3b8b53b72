/**
 * Encrypted backup format, version 1: the pure parts (constants, header codec, key schedule, nonces).
 * docs/FORMAT.md is the specification; this file follows it field by field.
 */
import { createCipheriv, createHash, hkdfSync } from 'node:crypto';
import { MalformedHeaderError, NotEncryptedBackupError, UnsupportedFormatVersionError } from './errors.js';

/** PNG-style magic: a high byte, a name, CR LF and ^Z, so text-mode mangling is caught at once. */
export const MAGIC = Buffer.from([0x89, 0x56, 0x42, 0x41, 0x4b, 0x0d, 0x0a, 0x1a]); // \x89 V B A K \r \n \x1a
export const FORMAT_VERSION = 1;
export const ALGORITHM_AES256GCM_HKDF_SHA256 = 1;
export const TAG_LENGTH = 16;
export const KEY_LENGTH = 32;
export const SALT_LENGTH = 32;
export const NONCE_PREFIX_LENGTH = 7;
export const COMMITMENT_LENGTH = 32;
export const MIN_CHUNK_SIZE = 4096;
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
/** Counter value reserved for the header tag's nonce; chunks use 0 .. 2^32-2. */
export const HEADER_COUNTER = 0xffffffff;
export const MAX_CHUNKS = HEADER_COUNTER;
/** Bytes before the variable part: magic, version, algorithm, header length. */
export const FIXED_PREFIX_LENGTH = MAGIC.length + 1 + 1 + 2;

export enum WrapType {
  /** Data key wrapped with AES-256-GCM under a 32-byte key-encryption key from a keyring. */
  RawAes256Gcm = 1,
  /** Data key wrapped by AWS KMS GenerateDataKey, with an encryption context naming the backup. */
  AwsKms = 2,
}

export interface HeaderFields {
  chunkSize: number;
  wrapType: WrapType;
  keyId: string;
  backupId: string;
  wrappedKey: Buffer;
  salt: Buffer;
  noncePrefix: Buffer;
  commitment: Buffer;
}

export interface Header extends HeaderFields {
  version: number;
  algorithm: number;
  /** The exact header bytes, tag included, as read or written. */
  bytes: Buffer;
  headerTag: Buffer;
}

function checkString(name: string, value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length < 1 || bytes.length > 255) throw new MalformedHeaderError(`${name} must be 1..255 bytes of UTF-8, got ${bytes.length}`);
  return bytes;
}

/** Serialises every header field except the trailing tag (which authenticates these bytes). */
export function encodeHeaderBody(fields: HeaderFields): Buffer {
  validateFields(fields);
  const keyId = checkString('key id', fields.keyId);
  const backupId = checkString('backup id', fields.backupId);
  const variable = Buffer.concat([
    u32(fields.chunkSize),
    Buffer.from([fields.wrapType, keyId.length]),
    keyId,
    Buffer.from([backupId.length]),
    backupId,
    u16(fields.wrappedKey.length),
    fields.wrappedKey,
    fields.salt,
    fields.noncePrefix,
    fields.commitment,
  ]);
  const total = FIXED_PREFIX_LENGTH + variable.length + TAG_LENGTH;
  if (total > 0xffff) throw new MalformedHeaderError(`header would be ${total} bytes; the limit is 65535`);
  return Buffer.concat([MAGIC, Buffer.from([FORMAT_VERSION, ALGORITHM_AES256GCM_HKDF_SHA256]), u16(total), variable]);
}

function validateFields(fields: HeaderFields): void {
  if (!Number.isInteger(fields.chunkSize) || fields.chunkSize < MIN_CHUNK_SIZE || fields.chunkSize > MAX_CHUNK_SIZE) {
    throw new MalformedHeaderError(`chunk size ${fields.chunkSize} is outside ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}`);
  }
  if (fields.wrapType !== WrapType.RawAes256Gcm && fields.wrapType !== WrapType.AwsKms) {
    throw new MalformedHeaderError(`unknown key wrapping type ${String(fields.wrapType)}`);
  }
  if (fields.wrappedKey.length < 1 || fields.wrappedKey.length > 4096)
    throw new MalformedHeaderError(`wrapped key length ${fields.wrappedKey.length} is outside 1..4096`);
  if (fields.salt.length !== SALT_LENGTH) throw new MalformedHeaderError(`salt must be ${SALT_LENGTH} bytes`);
  if (fields.noncePrefix.length !== NONCE_PREFIX_LENGTH) throw new MalformedHeaderError(`nonce prefix must be ${NONCE_PREFIX_LENGTH} bytes`);
  if (fields.commitment.length !== COMMITMENT_LENGTH) throw new MalformedHeaderError(`key commitment must be ${COMMITMENT_LENGTH} bytes`);
}

/**
 * Reads the fixed prefix and returns the total header length, or throws when the bytes are not
 * this format. Needs FIXED_PREFIX_LENGTH bytes.
 */
export function readHeaderLength(prefix: Buffer): number {
  if (prefix.length < FIXED_PREFIX_LENGTH) throw new MalformedHeaderError('file is shorter than the format header');
  if (!prefix.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new NotEncryptedBackupError(
      'not an encrypted vault-backup file (magic bytes missing)',
      'if the object was written by the original single-buffer design, decrypt it with --legacy',
    );
  }
  const version = prefix[MAGIC.length]!;
  if (version !== FORMAT_VERSION) {
    throw new UnsupportedFormatVersionError(
      `format version ${version} is not supported (this build reads version ${FORMAT_VERSION})`,
      'use a newer release of vault-backup to read this file',
    );
  }
  const algorithm = prefix[MAGIC.length + 1]!;
  if (algorithm !== ALGORITHM_AES256GCM_HKDF_SHA256) throw new UnsupportedFormatVersionError(`algorithm id ${algorithm} is not supported`);
  const length = prefix.readUInt16BE(MAGIC.length + 2);
  if (length < FIXED_PREFIX_LENGTH + TAG_LENGTH) throw new MalformedHeaderError(`header length ${length} is too small`);
  return length;
}

/** Parses a complete header (as sized by readHeaderLength). Does not authenticate it. */
export function decodeHeader(bytes: Buffer): Header {
  const length = readHeaderLength(bytes);
  if (bytes.length !== length) throw new MalformedHeaderError(`header is ${bytes.length} bytes, expected ${length}`);
  let at = FIXED_PREFIX_LENGTH;
  const need = (n: number): Buffer => {
    if (at + n > length - TAG_LENGTH) throw new MalformedHeaderError('header fields overrun the header length');
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const chunkSize = need(4).readUInt32BE(0);
  const wrapType = need(1)[0]! as WrapType;
  const keyId = need(need(1)[0]!).toString('utf8');
  const backupId = need(need(1)[0]!).toString('utf8');
  const wrappedKey = Buffer.from(need(need(2).readUInt16BE(0)));
  const salt = Buffer.from(need(SALT_LENGTH));
  const noncePrefix = Buffer.from(need(NONCE_PREFIX_LENGTH));
  const commitment = Buffer.from(need(COMMITMENT_LENGTH));
  if (at !== length - TAG_LENGTH) throw new MalformedHeaderError(`header has ${length - TAG_LENGTH - at} unexpected bytes before its tag`);
  const fields: HeaderFields = { chunkSize, wrapType, keyId, backupId, wrappedKey, salt, noncePrefix, commitment };
  validateFields(fields);
  if (keyId.length === 0 || backupId.length === 0) throw new MalformedHeaderError('key id and backup id must not be empty');
  return {
    ...fields,
    version: FORMAT_VERSION,
    algorithm: ALGORITHM_AES256GCM_HKDF_SHA256,
    bytes: Buffer.from(bytes),
    headerTag: Buffer.from(bytes.subarray(length - TAG_LENGTH)),
  };
}

export interface DerivedKeys {
  payloadKey: Buffer;
  commitment: Buffer;
}

/** HKDF-SHA256 key schedule: one payload key and one commitment value per backup, bound to its id. */
export function deriveKeys(dataKey: Buffer, salt: Buffer, backupId: string): DerivedKeys {
  const info = (label: string) => Buffer.concat([Buffer.from(`vault-backup/v1/${label}\0`), Buffer.from(backupId, 'utf8')]);
  return {
    payloadKey: Buffer.from(hkdfSync('sha256', dataKey, salt, info('payload-key'), KEY_LENGTH)),
    commitment: Buffer.from(hkdfSync('sha256', dataKey, salt, info('commitment'), COMMITMENT_LENGTH)),
  };
}

/** 12-byte GCM nonce: 7-byte prefix || 32-bit big-endian counter || last-chunk flag (0, 1; 2 for the header tag). */
export function chunkNonce(prefix: Buffer, counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(counter, NONCE_PREFIX_LENGTH);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

function headerNonce(prefix: Buffer): Buffer {
  const nonce = chunkNonce(prefix, HEADER_COUNTER, false);
  nonce[11] = 2;
  return nonce;
}

/** The header tag: GCM over an empty plaintext with the header body as associated data. */
export function computeHeaderTag(payloadKey: Buffer, noncePrefix: Buffer, headerBody: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', payloadKey, headerNonce(noncePrefix), { authTagLength: TAG_LENGTH });
  cipher.setAAD(headerBody);
  cipher.final();
  return cipher.getAuthTag();
}

/** Associated data of every chunk: SHA-256 of the whole header, so no chunk can move to another file. */
export function chunkAad(headerBytes: Buffer): Buffer {
  return createHash('sha256').update(headerBytes).digest();
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
