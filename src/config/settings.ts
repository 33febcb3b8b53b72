/**
 * Raw text inputs (action inputs or CLI flags, same names) to typed settings. Every check happens
 * here, before any network call, and every failure names the input and what to write instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from '../crypto/format.js';
import { parseKeyring, parseKeySpec, type KeyEncryptionKey } from '../crypto/keys.js';
import type { KmsSettings, WriteKeySettings } from '../crypto/key-settings.js';
import type { AzureAuth, AzureSettings, GcsSettings, S3Settings, TargetSettings } from '../storage/store-settings.js';

export type { KmsSettings, WriteKeySettings, S3Settings, TargetSettings, AzureSettings, AzureAuth, GcsSettings };
import { normalisePrefix } from '../naming/backup-names.js';
import type { VaultAuth, VaultSettings } from '../vault/vault-settings.js';
import type { RestoredLogin } from '../restore/restore-into.js';
import { parseSourceSeal, type SourceSeal } from '../restore/staging-identity.js';
import type { ThrowawayClusterSettings } from '../restore/throwaway-cluster.js';
import { parseEgressList, parseSealStanza, sealEndpoints } from '../restore/seal-stanza.js';
import { definitionOf, type InputName } from './input-definitions.js';

export type RawInputs = Record<string, string | undefined>;

/** Reads inputs with their table defaults applied; empty means absent. */
export class Inputs {
  constructor(private readonly raw: RawInputs) {}

  optional(name: InputName): string | undefined {
    const def = definitionOf(name);
    if (!def) throw new Error(`internal: input ${name} is not defined`);
    const value = this.raw[name];
    const text = def.secret ? value : value?.trim();
    if (text !== undefined && text !== '') return text;
    return def.default;
  }

  /** A setting of one entry per line: lines trimmed, empty lines and `#` comments left out. */
  lines(name: InputName): string[] {
    return (this.optional(name) ?? '')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  }

  /** A list setting: values separated by newlines, spaces or commas. */
  list(name: InputName): string[] {
    return (this.optional(name) ?? '').split(/[\s,]+/).filter(Boolean);
  }

  required(name: InputName, why = ''): string {
    const value = this.optional(name);
    if (value === undefined || value === '') throw new InputError(name, `is required${why}`);
    return value;
  }

  /**
   * A credential that goes into an HTTP header or a login body (a token, a JWT, an AppRole id): the line
   * break a file or a secret store adds is trimmed; anything else that is not printable is refused here, by
   * name, instead of failing deep in the HTTP client.
   */
  credential(name: InputName, why = ''): string {
    const value = this.required(name, why).trim();
    if (value === '') throw new InputError(name, `is required${why}`);
    // eslint-disable-next-line no-control-regex
    if (/[\s\x00-\x1f\x7f]/.test(value)) throw new InputError(name, 'must be a single word: it holds a space, a line break or a control character');
    return value;
  }

  boolean(name: InputName): boolean {
    const value = (this.optional(name) ?? 'false').toLowerCase();
    if (['true', 'yes', '1', 'on'].includes(value)) return true;
    if (['false', 'no', '0', 'off', ''].includes(value)) return false;
    throw new InputError(name, `must be true or false, got ${JSON.stringify(value)}`);
  }

  integer(name: InputName, min: number, max: number): number {
    const text = this.required(name);
    if (!/^-?\d+$/.test(text)) throw new InputError(name, `must be a whole number, got ${JSON.stringify(text)}`);
    const value = Number(text);
    if (value < min || value > max) throw new InputError(name, `must be between ${min} and ${max}, got ${value}`);
    return value;
  }

  choice<T extends string>(name: InputName, choices: readonly T[]): T {
    const value = this.required(name).toLowerCase();
    if (!(choices as readonly string[]).includes(value)) throw new InputError(name, `must be one of ${choices.join(', ')}; got ${JSON.stringify(value)}`);
    return value as T;
  }

  /** An http(s) server address; `withPath` keeps a path (Azurite serves an account under one). */
  url(name: InputName, required = true, withPath = false): string | undefined {
    const text = required ? this.required(name) : this.optional(name);
    if (text === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw new InputError(name, `is not a valid URL: ${JSON.stringify(text)}`, 'write it as https://host:port');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InputError(name, `must be an http(s) URL, got ${parsed.protocol}`);
    if (withPath) return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
    if (parsed.pathname !== '/' && parsed.pathname !== '') throw new InputError(name, `must be the server address without a path (drop "${parsed.pathname}")`);
    return `${parsed.protocol}//${parsed.host}`;
  }

  instant(name: InputName): Date | undefined {
    const text = this.optional(name);
    if (text === undefined) return undefined;
    const at = new Date(text);
    if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at.getTime()))
      throw new InputError(name, `must be an ISO 8601 instant like 2025-11-26T02:00:00Z, got ${JSON.stringify(text)}`);
    return at;
  }
}

// ---- targets ---------------------------------------------------------------------------------

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function s3Settings(inputs: Inputs, forUpload = false): S3Settings {
  const endpoint = inputs.url('s3-endpoint', false);
  const pathStyle = inputs.optional('s3-force-path-style') ?? 'auto';
  return {
    region: inputs.optional('s3-region'),
    endpoint,
    forcePathStyle: pathStyle === 'auto' ? endpoint !== undefined : inputs.boolean('s3-force-path-style'),
    checksumWhenRequired: inputs.choice('s3-checksum', ['when-supported', 'when-required'] as const) === 'when-required',
    partSize: forUpload ? inputs.integer('s3-part-size-mib', 5, 5120) * 1024 * 1024 : 8 * 1024 * 1024,
    queueSize: forUpload ? inputs.integer('s3-queue-size', 1, 32) : 2,
    idleTimeoutMs: inputs.integer('s3-idle-timeout-seconds', 1, 86400) * 1000,
  };
}

export function parseS3Url(input: string, text: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]*)\/?(.*)$/.exec(text);
  if (!match) throw new InputError(input, `is not an s3:// URL: ${JSON.stringify(text)}`);
  const bucket = match[1] ?? '';
  if (!BUCKET_PATTERN.test(bucket) || bucket.includes('..')) {
    throw new InputError(
      input,
      `bucket name ${JSON.stringify(bucket)} is not valid`,
      'S3 bucket names are 3-63 characters of a-z, 0-9, dots and hyphens, starting and ending with a letter or digit',
    );
  }
  return { bucket, key: match[2] ?? '' };
}

const TARGET_FORMS = 's3://bucket/prefix, az://account/container/prefix, gs://bucket/prefix, or a local directory';

/** The target named by `input` (target, or replica-target). */
export function targetSettings(inputs: Inputs, forUpload = false, input: 'target' | 'replica-target' | 'in' = 'target'): TargetSettings {
  const text = inputs.required(input, ` (${TARGET_FORMS})`);
  if (text.startsWith('s3://')) {
    const { bucket, key } = parseS3Url(input, text);
    return { kind: 's3', bucket, prefix: normalisePrefix(key), s3: s3Settings(inputs, forUpload) };
  }
  if (text.startsWith('az://')) {
    const match = /^az:\/\/([a-z0-9]{3,24})\/([a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9])(?:\/(.*))?$/.exec(text);
    if (!match)
      throw new InputError(
        input,
        `is not an az://account/container/prefix URL: ${JSON.stringify(text)}`,
        'storage account names are 3-24 lowercase letters and digits; container names 3-63 of a-z, 0-9 and single hyphens',
      );
    return { kind: 'azure', account: match[1]!, container: match[2]!, prefix: normalisePrefix(match[3] ?? ''), azure: azureSettings(inputs, match[1]!) };
  }
  if (text.startsWith('gs://')) {
    const match = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(text);
    if (!match)
      throw new InputError(
        input,
        `is not a gs://bucket/prefix URL: ${JSON.stringify(text)}`,
        'Cloud Storage bucket names are 3-63 characters of a-z, 0-9, dots, hyphens and underscores',
      );
    return { kind: 'gcs', bucket: match[1]!, prefix: normalisePrefix(match[2] ?? ''), gcs: gcsSettings(inputs) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && !text.startsWith('file://')) {
    throw new InputError(input, `scheme of ${JSON.stringify(text)} is not supported`, `use ${TARGET_FORMS}`);
  }
  return { kind: 'local', directory: text.startsWith('file://') ? new URL(text).pathname : text };
}

/**
 * Which Azure credential the settings name, in order: a connection string, a SAS token, workload identity
 * federation (client and tenant id; the action fetches the federated token when this says so), else the default chain.
 */
export function azureAuthKind(inputs: Inputs): AzureAuth['kind'] {
  const clientId = inputs.optional('azure-client-id');
  const tenantId = inputs.optional('azure-tenant-id');
  if (inputs.optional('azure-connection-string')) return 'connection-string';
  if (inputs.optional('azure-sas-token')) return 'sas';
  if (clientId || tenantId) {
    if (!clientId || !tenantId)
      throw new InputError(
        clientId ? 'azure-tenant-id' : 'azure-client-id',
        'is required with the other: workload identity federation needs both the tenant and the client (application) id',
      );
    return 'federated';
  }
  if (inputs.optional('azure-federated-token')) throw new InputError('azure-client-id', 'is required with azure-federated-token');
  return 'default';
}

export function azureSettings(inputs: Inputs, account: string): AzureSettings {
  const kind = azureAuthKind(inputs);
  const auth: AzureAuth =
    kind === 'connection-string'
      ? { kind, connectionString: inputs.required('azure-connection-string') }
      : kind === 'sas'
        ? { kind, sasToken: inputs.required('azure-sas-token').replace(/^\?/, '') }
        : kind === 'federated'
          ? {
              kind,
              clientId: inputs.required('azure-client-id'),
              tenantId: inputs.required('azure-tenant-id'),
              federatedToken: inputs.required(
                'azure-federated-token',
                ' for azure-client-id (in GitHub Actions, grant the job `permissions: id-token: write`)',
              ),
            }
          : { kind: 'default' };
  const endpoint = inputs.url('azure-blob-endpoint', false, true) ?? `https://${account}.blob.core.windows.net`;
  return { endpoint, auth, blockSize: inputs.integer('azure-block-size-mib', 1, 4000) * 1024 * 1024, queueSize: inputs.integer('azure-queue-size', 1, 32) };
}

export function gcsSettings(inputs: Inputs): GcsSettings {
  const keyFile = inputs.optional('gcs-key-file');
  if (keyFile && !existsSync(keyFile))
    throw new InputError(
      'gcs-key-file',
      `${keyFile} does not exist`,
      'give the path of a service-account key (JSON), or leave it empty for Application Default Credentials',
    );
  // Resumable uploads go in multiples of 256 KiB.
  return { endpoint: inputs.url('gcs-endpoint', false), keyFile, chunkSize: inputs.integer('gcs-chunk-size-mib', 1, 1024) * 1024 * 1024 };
}

// ---- vault -----------------------------------------------------------------------------------

/** The source cluster's login (vault-auth-method and its inputs). */
/** vault-auth-method: jwt (GitHub OIDC), token or approle. */
export function vaultAuthMethod(inputs: Inputs): VaultAuth['method'] {
  return inputs.choice('vault-auth-method', ['jwt', 'token', 'approle'] as const);
}

export function vaultAuth(inputs: Inputs): VaultAuth {
  const method = vaultAuthMethod(inputs);
  if (method === 'token') return { method, token: inputs.credential('vault-token', ' for vault-auth-method token') };
  if (method === 'jwt') {
    const auth = {
      method,
      role: inputs.required('vault-jwt-role'),
      mount: inputs.required('vault-jwt-mount'),
      jwt: inputs.credential(
        'vault-jwt',
        ' for vault-auth-method jwt (in GitHub Actions, grant the job `permissions: id-token: write`; on the CLI pass --vault-jwt or VAULT_BACKUP_JWT)',
      ),
    };
    if (auth.jwt.split('.').length !== 3) throw new InputError('vault-jwt', 'is not a JWT (three base64url parts separated by dots)');
    return auth;
  }
  return {
    method,
    roleId: inputs.credential('vault-approle-role-id', ' for vault-auth-method approle'),
    secretId: inputs.credential('vault-approle-secret-id', ' for vault-auth-method approle'),
    mount: inputs.required('vault-approle-mount'),
  };
}

/**
 * How to reach one cluster at `address` with `auth`: TLS and namespace from its own `<cluster>-*` inputs
 * (vault-* for the source, staging-vault-* or restore-vault-* for the others); timeouts are shared.
 */
export function clusterSettings(
  inputs: Inputs,
  address: string,
  auth: VaultAuth,
  cluster: 'vault' | 'staging-vault' | 'restore-vault' = 'vault',
): VaultSettings {
  const ca = inputs.optional(`${cluster}-ca-cert`);
  const namespace = inputs.optional(`${cluster}-namespace`);
  return {
    address,
    ...(namespace ? { namespace } : {}),
    ...(ca ? { caCert: readPem(`${cluster}-ca-cert`, ca) } : {}),
    tlsSkipVerify: inputs.boolean(`${cluster}-tls-skip-verify`),
    requestTimeoutMs: inputs.integer('vault-timeout-seconds', 1, 3600) * 1000,
    idleTimeoutMs: inputs.integer('vault-idle-timeout-seconds', 1, 86400) * 1000,
    auth,
  };
}

/** Settings of the source cluster (vault-* inputs). */
export function vaultSettings(inputs: Inputs, address = inputs.url('vault-address')!): VaultSettings {
  const allowedLeaders = inputs.list('vault-allowed-leaders');
  for (const leader of allowedLeaders) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(leader))
      throw new InputError('vault-allowed-leaders', `${JSON.stringify(leader)} is not an address like https://vault-2.example.com:8200`);
  }
  return { ...clusterSettings(inputs, address, vaultAuth(inputs)), ...(allowedLeaders.length ? { allowedLeaders } : {}) };
}

function readPem(input: string, value: string): string {
  if (value.includes('-----BEGIN CERTIFICATE-----')) return value;
  if (!existsSync(value)) throw new InputError(input, `is neither PEM text nor an existing file: ${JSON.stringify(value.slice(0, 80))}`);
  const text = readFileSync(value, 'utf8');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new InputError(input, `file ${value} holds no PEM certificate`);
  return text;
}

// ---- encryption ------------------------------------------------------------------------------

export function kmsSettings(inputs: Inputs): KmsSettings {
  return {
    keyId: inputs.optional('kms-key-id'),
    region: inputs.optional('kms-region') ?? inputs.optional('s3-region'),
    endpoint: inputs.url('kms-endpoint', false),
  };
}

export function writeKeySettings(inputs: Inputs): WriteKeySettings {
  const kms = kmsSettings(inputs);
  if (kms.keyId && /\s/.test(kms.keyId.trim()))
    throw new InputError('kms-key-id', 'names several keys; new backups are wrapped by one (several are for reading only)');
  if (kms.keyId) return { kind: 'kms', kms: { ...kms, keyId: kms.keyId.trim() } };
  const spec = inputs.required('encryption-key', ' (or set kms-key-id): a 32-byte key, base64 or hex; generate one with `openssl rand -base64 32`');
  return { kind: 'raw', key: parseKeySpec('encryption-key', spec) };
}

/**
 * The KMS keys a reader trusts (kms-key-id, one per line or comma separated), with the client settings;
 * undefined when none is named: then a KMS-wrapped backup is refused without calling KMS.
 */
export function trustedKms(inputs: Inputs): { settings: KmsSettings; trustedKeys: string[] } | undefined {
  const trustedKeys = inputs.list('kms-key-id');
  return trustedKeys.length ? { settings: kmsSettings(inputs), trustedKeys } : undefined;
}

/** Keys that may open existing backups: the keyring plus the current encryption key, if given. */
export function readKeys(inputs: Inputs): KeyEncryptionKey[] {
  const keys: KeyEncryptionKey[] = [];
  const ring = inputs.optional('encryption-keyring');
  if (ring) keys.push(...parseKeyring('encryption-keyring', ring));
  const single = inputs.optional('encryption-key');
  if (single) {
    const key = parseKeySpec('encryption-key', single);
    if (!keys.some((k) => k.id === key.id)) keys.push(key);
  }
  return keys;
}

export function chunkSize(inputs: Inputs): number {
  const kib = inputs.integer('chunk-size-kib', MIN_CHUNK_SIZE / 1024, MAX_CHUNK_SIZE / 1024);
  return kib * 1024 || DEFAULT_CHUNK_SIZE;
}

export function unsealKeys(inputs: Inputs): string[] {
  return inputs.list('source-unseal-keys');
}

export function sourceSeal(inputs: Inputs): SourceSeal | undefined {
  const text = inputs.optional('source-seal');
  if (text === undefined) return undefined;
  const seal = parseSourceSeal(text);
  if (!seal)
    throw new InputError(
      'source-seal',
      `must be shares/threshold of a Shamir seal like 5/3, got ${JSON.stringify(text)}`,
      '`bao status` (or `vault status`) on the source shows "Total Shares" and "Threshold"',
    );
  return seal;
}

/** How the restore gets a token in the restored data, before any credential for it is read. */
export function restoredLoginKind(inputs: Inputs): RestoredLogin['kind'] {
  if (inputs.optional('restored-vault-token')) return 'token';
  return inputs.choice('restored-login', ['generate-root', 'source-auth'] as const);
}

/** How the restore gets a token in the restored data. */
export function restoredLogin(inputs: Inputs): RestoredLogin {
  const kind = restoredLoginKind(inputs);
  if (kind === 'token') return { kind, token: inputs.credential('restored-vault-token') };
  return kind === 'generate-root' ? { kind } : { kind, auth: vaultAuth(inputs) };
}

/** The throwaway cluster's settings; `searchPath` is the front's PATH, where `vault` and `bao` are looked for. */
export function throwawaySettings(inputs: Inputs, searchPath: string, tempRoot: string): ThrowawayClusterSettings {
  const stanza = inputs.optional('restore-seal-config');
  const seal = stanza ? parseSealStanza(stanza) : undefined;
  return {
    binary: inputs.optional('restore-server-binary'),
    searchPath,
    tempRoot,
    seal: seal ? { stanza: seal, endpoints: sealEndpoints(seal, parseEgressList(inputs.optional('restore-seal-egress'))) } : undefined,
    isolation: inputs.choice('restore-isolation', ['required', 'best-effort'] as const),
    requestTimeoutMs: inputs.integer('vault-timeout-seconds', 1, 3600) * 1000,
    startTimeoutMs: 60_000,
  };
}

/** canary-paths (one per line) with canary-sha256 ("path=hex" lines) merged in. */
export function canaries(inputs: Inputs): Array<{ path: string; sha256?: string }> {
  const hashes = new Map<string, string>();
  for (const line of inputs.lines('canary-sha256')) {
    const eq = line.lastIndexOf('=');
    const path = line.slice(0, eq).trim();
    const hash = line
      .slice(eq + 1)
      .trim()
      .toLowerCase();
    if (eq < 1 || !/^[0-9a-f]{64}$/.test(hash)) throw new InputError('canary-sha256', `line ${JSON.stringify(line)} is not "path=<64 hex digits>"`);
    hashes.set(path, hash);
  }
  const paths = inputs.lines('canary-paths');
  if (!paths.length) throw new InputError('canary-paths', 'is required: at least one secret to read after the restore (e.g. secret/canary)');
  for (const path of hashes.keys()) if (!paths.includes(path)) throw new InputError('canary-sha256', `names ${path}, which is not in canary-paths`);
  return paths.map((path) => (hashes.has(path) ? { path, sha256: hashes.get(path)! } : { path }));
}

/**
 * A command that writes into the cluster at `address` runs only when `confirm` repeats it exactly: the operator
 * names what is overwritten. `what` says what happens there.
 */
export function requireConfirmation(inputs: Inputs, address: string, addressInput: InputName, confirmInput: InputName, what: string): void {
  const confirm = inputs.optional(confirmInput);
  if (confirm === undefined || inputs.url(confirmInput) !== address)
    throw new InputError(
      confirmInput,
      `must repeat ${addressInput} (${address}) exactly${confirm === undefined ? '' : `, got ${JSON.stringify(confirm)}`}`,
      `${what}: confirm by naming it`,
    );
}
