/**
 * Key material: parsing 32-byte keys from text, naming them, and the keyring that decryption uses
 * to pick the key a backup names in its header.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { KEY_LENGTH } from './format.js';

export interface KeyEncryptionKey {
  id: string;
  key: Buffer;
}

const KEY_ID_PATTERN = /^[A-Za-z0-9._:@/-]{1,128}$/;

/**
 * Parses a 32-byte key written as 64 hex digits or base64 (standard or URL-safe). Whitespace is refused,
 * not trimmed: a pasted key with a stray newline must be fixed where it is stored, or every tool that
 * reads the same secret will disagree about it.
 */
export function parseKeyMaterial(input: string, text: string): Buffer {
  if (text.length === 0) throw new InputError(input, 'is empty', 'set it to a 32-byte key, base64 or hex (openssl rand -base64 32)');
  if (/\s/.test(text)) {
    throw new InputError(input, 'contains whitespace (a trailing newline?)', 'store the key without spaces or line breaks');
  }
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) || /^[A-Za-z0-9_-]+={0,2}$/.test(text)) {
    const decoded = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    // Reject base64 that only decodes by ignoring characters.
    if (decoded.toString('base64').replace(/=+$/, '') === text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')) key = decoded;
  }
  if (key === undefined) throw new InputError(input, 'is neither base64 nor 64 hex digits', 'generate one with: openssl rand -base64 32');
  if (key.length !== KEY_LENGTH) {
    throw new InputError(input, `decodes to ${key.length} bytes; AES-256 needs exactly ${KEY_LENGTH}`, 'generate one with: openssl rand -base64 32');
  }
  return key;
}

/** A stable, non-secret name for a key: the first 8 bytes of a domain-separated SHA-256. */
export function keyFingerprint(key: Buffer): string {
  return 'k-' + createHash('sha256').update('vault-backup key id\0').update(key).digest('hex').slice(0, 16);
}

export function checkKeyId(input: string, id: string): string {
  if (!KEY_ID_PATTERN.test(id)) throw new InputError(input, `key id "${id}" must be 1..128 characters of A-Z a-z 0-9 . _ : @ / -`);
  return id;
}

/** "ID=KEY" or a bare KEY (its id is then its fingerprint). */
export function parseKeySpec(input: string, spec: string): KeyEncryptionKey {
  const eq = spec.indexOf('=');
  // base64 may end in '=' padding: an '=' in the middle, followed by key material, separates an id.
  if (eq > 0 && eq < spec.length - 2) {
    const id = checkKeyId(input, spec.slice(0, eq));
    return { id, key: parseKeyMaterial(input, spec.slice(eq + 1)) };
  }
  const key = parseKeyMaterial(input, spec);
  return { id: keyFingerprint(key), key };
}

/**
 * A keyring file: one key per line ("ID=KEY" or bare KEY); blank lines and lines starting with # are skipped.
 * Line breaks separate entries here, so they are the one place whitespace is allowed.
 */
export function parseKeyring(input: string, text: string): KeyEncryptionKey[] {
  const keys: KeyEncryptionKey[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    keys.push(parseKeySpec(`${input} line ${index + 1}`, line));
  });
  if (keys.length === 0) throw new InputError(input, 'holds no keys');
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.id)) throw new InputError(input, `key id "${k.id}" appears twice`);
    seen.add(k.id);
  }
  return keys;
}

export class Keyring {
  private readonly byId = new Map<string, KeyEncryptionKey>();
  constructor(keys: KeyEncryptionKey[]) {
    for (const k of keys) this.byId.set(k.id, k);
  }
  get(id: string): KeyEncryptionKey | undefined {
    return this.byId.get(id);
  }
  ids(): string[] {
    return [...this.byId.keys()];
  }
}
