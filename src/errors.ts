/**
 * Every failure the engine reports is a BackupError: it names the component that failed
 * and says what to change. The CLI and the action print `message` and `hint`, never a stack
 * trace of a secret-bearing object.
 */
export type Component = 'input' | 'vault' | 'snapshot' | 'crypto' | 'storage' | 'retention' | 'restore' | 'notify' | 'data';

export class BackupError extends Error {
  readonly component: Component;
  readonly hint: string | undefined;

  constructor(component: Component, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.component = component;
    this.hint = options.hint;
  }

  /** One line for logs: "[vault] message. hint" */
  describe(): string {
    return `[${this.component}] ${this.message}${this.hint ? ` — ${this.hint}` : ''}`;
  }
}

/** A configuration value is missing or malformed; raised before any network call. */
export class InputError extends BackupError {
  readonly input: string;
  constructor(input: string, message: string, hint?: string) {
    super('input', `${input}: ${message}`, hint === undefined ? {} : { hint });
    this.input = input;
  }
}

export class VaultError extends BackupError {
  readonly status: number | undefined;
  constructor(message: string, options: { hint?: string; cause?: unknown; status?: number } = {}) {
    super('vault', message, options);
    this.status = options.status;
  }
}

export class SnapshotInvalidError extends BackupError {
  constructor(message: string, hint = 'the snapshot stream from Vault is incomplete or corrupt; retry the backup and check the Vault server logs') {
    super('snapshot', message, { hint });
  }
}

export class StorageError extends BackupError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('storage', message, options);
  }
}

/** The target already holds an object under this key; nothing was overwritten. */
export class ObjectExistsError extends StorageError {
  readonly key: string;
  /** `location` is the target root as stores print it, ending in "/" (s3://bucket/prefix/ or a directory). */
  constructor(key: string, location: string) {
    super(`an object already exists at ${location}${key}; nothing was overwritten`, {
      hint: 'two backups started in the same second, or the clock went backwards; run the backup again',
    });
    this.key = key;
  }
}

/** The bytes stored do not match the bytes sent. */
export class IntegrityError extends StorageError {}

export class RetentionRefusedError extends BackupError {
  /** The refused plan, so it can still be shown (e.g. as --json). */
  readonly plan: unknown;
  constructor(message: string, hint: string, plan?: unknown) {
    super('retention', message, { hint });
    this.plan = plan;
  }
}

/**
 * The target holds backups that fail authentication, or whose raft history goes back without a record of it:
 * someone wrote to the target who is not the backup job, or objects were damaged. The job did what it could
 * prove safe and failed so that an alert goes out; `result` is what it did.
 */
export class UntrustedBackupsError extends BackupError {
  readonly result: unknown;
  constructor(message: string, hint: string, result: unknown) {
    super('data', message, { hint });
    this.result = result;
  }
}

/** The backup was stored, but its content says the cluster lost data (or is not the one backed up before). */
export class DataAnomalyError extends BackupError {
  constructor(message: string, hint: string) {
    super('data', message, { hint });
  }
}

export class RestoreError extends BackupError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('restore', message, options);
  }
}
