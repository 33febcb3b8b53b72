/**
 * Every setting of every command, in one table: the action's inputs (action.yml) and the CLI's
 * --flags have these names. A test keeps action.yml in step with this table.
 */
export type CommandName = 'backup' | 'verify' | 'prune' | 'list' | 'restore-test' | 'restore' | 'recover' | 'diff' | 'decrypt' | 'encrypt';

export interface InputDefinition<N extends string = string> {
  name: N;
  description: string;
  /** Default as text, exactly as a user would write it; undefined means "no default". */
  default?: string;
  /** Environment variable the CLI reads when the flag is absent. */
  env?: string;
  /**
   * A variable other tools set (aws-actions/configure-aws-credentials sets AWS_DEFAULT_REGION) that both fronts
   * read when the setting is not given, the CLI after `env`.
   */
  ambientEnv?: string;
  /** Never printed; the action masks it. */
  secret?: boolean;
  /** Commands that read it; absent means all. */
  commands?: CommandName[];
  /** Only the action has it (e.g. it is resolved by the runner). */
  actionOnly?: boolean;
  cliOnly?: boolean;
}

/** recover writes into, and diff reads, the live cluster with the vault-* login. */
const VAULT_COMMANDS: CommandName[] = ['backup', 'restore-test', 'restore', 'recover', 'diff'];
const STORE_COMMANDS: CommandName[] = ['backup', 'verify', 'prune', 'list', 'restore-test', 'restore', 'recover', 'diff'];
/** Commands that open backups' data keys: prune too, since it authenticates every backup it keeps. */
const READ_COMMANDS: CommandName[] = ['verify', 'prune', 'restore-test', 'restore', 'recover', 'diff', 'decrypt'];
/** Commands that open a backup in a throwaway cluster (backup too, for diff-with-previous). */
const THROWAWAY_COMMANDS: CommandName[] = ['restore-test', 'recover', 'diff', 'backup'];
const RESTORE_COMMANDS: CommandName[] = ['restore-test', 'restore', 'recover', 'diff', 'backup'];
const CANARY_COMMANDS: CommandName[] = ['restore-test', 'restore'];

/** TLS and namespace of a cluster other than the source: its own settings, never inherited from the source's vault-* ones. */
function clusterConnectionInputs<P extends string>(
  prefix: P,
  what: string,
  commands: CommandName[],
  caCertEnv: string,
): [InputDefinition<`${P}-ca-cert`>, InputDefinition<`${P}-namespace`>, InputDefinition<`${P}-tls-skip-verify`>] {
  return [
    {
      name: `${prefix}-ca-cert` as const,
      description: `PEM CA bundle (text or a file path) that signs the certificate of ${what}; vault-ca-cert is not used for it.`,
      env: caCertEnv,
      commands,
    },
    { name: `${prefix}-namespace` as const, description: `Vault Enterprise namespace of ${what}.`, commands },
    { name: `${prefix}-tls-skip-verify` as const, description: `Skip TLS certificate verification for ${what} (for tests only).`, default: 'false', commands },
  ];
}

const INPUT_TABLE = [
  { name: 'command', description: 'What to run: backup, verify, prune, list, restore-test, restore, recover or diff.', default: 'backup', actionOnly: true },

  // Where backups live
  {
    name: 'target',
    description: 'Where backups are stored: s3://bucket/prefix, az://account/container/prefix, gs://bucket/prefix, or a local directory.',
    env: 'VAULT_BACKUP_TARGET',
    commands: STORE_COMMANDS,
  },
  {
    name: 'replica-target',
    description:
      'A second target (any kind) that receives a copy of each backup once it is complete in target, proven by its own checksum (3-2-1). verify, list and prune work on it as a target of its own. Settings of its kind are shared with target (s3-*, azure-*, gcs-*).',
    commands: ['backup'],
  },
  {
    name: 's3-region',
    description: 'AWS region of the bucket (defaults to AWS_REGION / AWS_DEFAULT_REGION).',
    env: 'AWS_REGION',
    ambientEnv: 'AWS_DEFAULT_REGION',
    commands: [...STORE_COMMANDS, 'decrypt', 'encrypt'],
  },
  {
    name: 's3-endpoint',
    description: 'Custom S3 endpoint for S3-compatible stores (defaults to AWS).',
    env: 'AWS_ENDPOINT_URL_S3',
    commands: [...STORE_COMMANDS, 'decrypt', 'encrypt'],
  },
  {
    name: 's3-force-path-style',
    description: 'Use path-style bucket addressing (most S3-compatible stores need it).',
    default: 'auto',
    commands: [...STORE_COMMANDS, 'decrypt', 'encrypt'],
  },
  {
    name: 's3-checksum',
    description: 'When the SDK sends request checksums: when-supported, or when-required for stores that reject them.',
    default: 'when-supported',
    commands: [...STORE_COMMANDS, 'decrypt', 'encrypt'],
  },
  { name: 's3-part-size-mib', description: 'Multipart upload part size in MiB (5..5120).', default: '8', commands: ['backup'] },
  {
    name: 's3-queue-size',
    description: 'Parts uploaded in parallel; each holds s3-part-size-mib of memory. Raise it where S3 is far away (a high round-trip time).',
    default: '2',
    commands: ['backup'],
  },
  {
    name: 's3-idle-timeout-seconds',
    description:
      'Longest an S3 request may go without a byte moving either way before its attempt fails and is retried (S3 keeps a long request alive with whitespace).',
    default: '300',
    commands: [...STORE_COMMANDS, 'decrypt', 'encrypt'],
  },
  {
    name: 'azure-connection-string',
    description: 'Azure Storage connection string (az:// targets; for the CLI or an emulator). Prefer azure-client-id with OIDC in workflows.',
    env: 'AZURE_STORAGE_CONNECTION_STRING',
    secret: true,
    commands: [...STORE_COMMANDS, 'decrypt'],
  },
  {
    name: 'azure-sas-token',
    description: 'A SAS token for the container (az:// targets).',
    env: 'AZURE_STORAGE_SAS_TOKEN',
    secret: true,
    commands: [...STORE_COMMANDS, 'decrypt'],
  },
  {
    name: 'azure-client-id',
    description:
      "Client (application) id of the Entra ID app or managed identity with a federated credential for this repository (az:// targets; the action fetches GitHub's OIDC token).",
    env: 'AZURE_CLIENT_ID',
    commands: [...STORE_COMMANDS, 'decrypt'],
  },
  { name: 'azure-tenant-id', description: 'Entra ID tenant of azure-client-id.', env: 'AZURE_TENANT_ID', commands: [...STORE_COMMANDS, 'decrypt'] },
  {
    name: 'azure-federated-token',
    description: 'A GitHub OIDC token for audience api://AzureADTokenExchange (the action gets it itself; CLI only).',
    env: 'VAULT_BACKUP_AZURE_FEDERATED_TOKEN',
    secret: true,
    cliOnly: true,
    commands: [...STORE_COMMANDS, 'decrypt'],
  },
  {
    name: 'azure-blob-endpoint',
    description: 'Blob endpoint (defaults to https://ACCOUNT.blob.core.windows.net; an emulator such as Azurite otherwise).',
    commands: [...STORE_COMMANDS, 'decrypt'],
  },
  { name: 'azure-block-size-mib', description: 'Block size in MiB for Azure Blob uploads.', default: '8', commands: ['backup'] },
  { name: 'azure-queue-size', description: 'Blocks uploaded in parallel.', default: '4', commands: ['backup'] },
  {
    name: 'gcs-endpoint',
    description: 'Cloud Storage API endpoint (gs:// targets; defaults to Google; an emulator otherwise).',
    env: 'VAULT_BACKUP_GCS_ENDPOINT',
    commands: [...STORE_COMMANDS, 'decrypt'],
  },
  {
    name: 'gcs-key-file',
    description:
      'Path of a service-account key (JSON) for gs:// targets; empty uses Application Default Credentials (e.g. from google-github-actions/auth with workload identity federation).',
    commands: [...STORE_COMMANDS, 'decrypt'],
  },
  { name: 'gcs-chunk-size-mib', description: 'Bytes per resumable-upload request, in MiB.', default: '8', commands: ['backup'] },

  // Vault
  { name: 'vault-address', description: 'Vault/OpenBao API address, e.g. https://vault.example.com:8200.', env: 'VAULT_ADDR', commands: VAULT_COMMANDS },
  {
    name: 'vault-allowed-leaders',
    description:
      'Other addresses (https://host:port, one per line) that may receive the Vault token when sys/leader names them as the active node; empty sends it to vault-address only.',
    commands: ['backup'],
  },
  { name: 'vault-namespace', description: 'Vault Enterprise namespace (sent as X-Vault-Namespace).', env: 'VAULT_NAMESPACE', commands: VAULT_COMMANDS },
  {
    name: 'vault-ca-cert',
    description: 'PEM CA bundle (the certificate text, or a path to a file) that signs the Vault server certificate.',
    env: 'VAULT_CACERT',
    commands: VAULT_COMMANDS,
  },
  { name: 'vault-tls-skip-verify', description: 'Skip TLS certificate verification (for tests only).', default: 'false', commands: VAULT_COMMANDS },
  { name: 'vault-timeout-seconds', description: 'Time to wait for Vault to answer a request.', default: '30', commands: VAULT_COMMANDS },
  {
    name: 'vault-idle-timeout-seconds',
    description: 'Longest pause allowed in the snapshot stream before it counts as stalled.',
    default: '120',
    commands: VAULT_COMMANDS,
  },
  {
    name: 'vault-snapshot-deadline-seconds',
    description:
      'Longest the whole snapshot download may take: auto (30 minutes plus the previous snapshot at 1 MiB/s; 2 hours for a first backup) or seconds.',
    default: 'auto',
    commands: ['backup'],
  },
  { name: 'vault-auth-method', description: 'How to log in to Vault: jwt (GitHub OIDC), token or approle.', default: 'jwt', commands: VAULT_COMMANDS },
  { name: 'vault-token', description: 'Vault token, for vault-auth-method token.', env: 'VAULT_TOKEN', secret: true, commands: VAULT_COMMANDS },
  { name: 'vault-jwt-role', description: 'Vault JWT auth role, for vault-auth-method jwt.', default: 'vault-backup', commands: VAULT_COMMANDS },
  { name: 'vault-jwt-mount', description: 'Mount path of the JWT auth method.', default: 'jwt', commands: VAULT_COMMANDS },
  {
    name: 'vault-jwt-audience',
    description:
      "Audience of the GitHub OIDC token; must be in the role's bound_audiences. Empty: https://github.com/OWNER (the repository owner), the audience GitHub itself uses by default.",
    commands: VAULT_COMMANDS,
    actionOnly: true,
  },
  {
    name: 'vault-jwt',
    description: 'A JWT to log in with (the action requests one from GitHub instead).',
    env: 'VAULT_BACKUP_JWT',
    secret: true,
    commands: VAULT_COMMANDS,
    cliOnly: true,
  },
  { name: 'vault-approle-role-id', description: 'AppRole role id, for vault-auth-method approle.', env: 'VAULT_ROLE_ID', commands: VAULT_COMMANDS },
  {
    name: 'vault-approle-secret-id',
    description: 'AppRole secret id, for vault-auth-method approle.',
    env: 'VAULT_SECRET_ID',
    secret: true,
    commands: VAULT_COMMANDS,
  },
  { name: 'vault-approle-mount', description: 'Mount path of the AppRole auth method.', default: 'approle', commands: VAULT_COMMANDS },

  // Encryption
  {
    name: 'encryption-key',
    description: 'Key that encrypts new backups: 32 bytes as base64 or hex, optionally "ID=KEY". Ignored when kms-key-id is set.',
    env: 'VAULT_BACKUP_KEY',
    secret: true,
    commands: ['backup', 'encrypt', ...READ_COMMANDS],
  },
  {
    name: 'encryption-keyring',
    description: 'Keys that can decrypt backups, one "ID=KEY" or KEY per line (old keys stay here after a rotation).',
    env: 'VAULT_BACKUP_KEYRING',
    secret: true,
    commands: READ_COMMANDS,
  },
  {
    name: 'kms-key-id',
    description:
      "AWS KMS key (id, ARN or alias) that wraps each new backup's data key instead of encryption-key; for reading, the KMS key(s) a backup may be wrapped under (one per line): any other is refused before KMS is called.",
    env: 'VAULT_BACKUP_KMS_KEY_ID',
    commands: ['backup', 'encrypt', ...READ_COMMANDS],
  },
  { name: 'kms-region', description: 'Region of the KMS key (defaults to s3-region).', commands: ['backup', 'encrypt', ...READ_COMMANDS] },
  {
    name: 'kms-endpoint',
    description: 'Custom KMS endpoint (tests, VPC endpoints).',
    env: 'AWS_ENDPOINT_URL_KMS',
    commands: ['backup', 'encrypt', ...READ_COMMANDS],
  },
  { name: 'chunk-size-kib', description: 'Plaintext bytes per encrypted chunk, in KiB (4..16384).', default: '1024', commands: ['backup', 'encrypt'] },

  // Backup
  { name: 'monthly', description: 'Also keep the first backup of each month under monthly/: auto or never.', default: 'auto', commands: ['backup'] },
  {
    name: 'run-url',
    description: 'Link to the run that made the backup, stored in its manifest (the action fills it in).',
    env: 'VAULT_BACKUP_RUN_URL',
    commands: ['backup'],
    cliOnly: true,
  },

  {
    name: 'data-shrink-limit-percent',
    description:
      "backup: fail the run (the backup is still stored) when the data shrinks by more than this share of the previous backup's; restore-test: fail when a KV mount lost more than this share of its secrets since the previous restore test.",
    default: '50',
    commands: ['backup', 'restore-test'],
  },

  // Retention
  { name: 'keep-hourly', description: 'Hours with a backup to keep (the newest backup of each); 0 keeps none by the hour.', default: '0', commands: ['prune'] },
  { name: 'keep-daily', description: 'Days with a backup to keep (the newest backup of each).', default: '30', commands: ['prune'] },
  {
    name: 'keep-weekly',
    description: 'ISO weeks with a backup to keep (the newest backup of each); 0 keeps none by the week.',
    default: '0',
    commands: ['prune'],
  },
  { name: 'keep-monthly', description: 'Months with a monthly backup to keep (the first backup of each).', default: '12', commands: ['prune'] },
  { name: 'keep-yearly', description: 'Years with a monthly backup to keep (the first of each); 0 keeps none by the year.', default: '0', commands: ['prune'] },
  { name: 'prune-require-fresh-hours', description: 'Refuse to prune when the newest complete backup is older than this.', default: '48', commands: ['prune'] },
  {
    name: 'prune-max-deletes',
    description:
      "Refuse to prune when the plan lets more backups than this expire (beyond every tier's window). Backups superseded within an hour, day or week that stays kept (a schedule that runs more often than the tiers keep) do not count.",
    default: '10',
    commands: ['prune'],
  },
  {
    name: 'prune-allow-mass-delete',
    description: 'Carry out a plan that deletes more than prune-max-deletes or more than half a tier (after a deliberate policy change).',
    default: 'false',
    commands: ['prune'],
  },
  {
    name: 'acknowledged-anomalies',
    description:
      'Backup ids (one per line) whose data anomaly was intended: prune stops keeping the last backup from before them. Only this setting counts: nothing at the target can acknowledge an anomaly.',
    commands: ['prune'],
  },
  { name: 'dry-run', description: 'Plan and report, but change nothing.', default: 'false', commands: ['prune'] },
  { name: 'now', description: 'Plan as of this instant (ISO 8601), for audits and tests.', commands: ['prune', 'verify', 'list'], cliOnly: true },
  {
    name: 'json',
    description: 'Print the result as JSON on stdout.',
    default: 'false',
    commands: ['prune', 'list', 'verify', 'backup', 'restore-test', 'recover', 'diff'],
    cliOnly: true,
  },

  // Verify
  {
    name: 'backup',
    description: 'Which backup: latest, latest-monthly, a date (YYYY-MM-DD, the newest backup of that UTC day), or an object key.',
    default: 'latest',
    commands: ['verify', 'restore-test', 'restore', 'recover'],
  },
  { name: 'max-age-hours', description: 'Fail when the newest complete backup is older than this.', default: '26', commands: ['verify'] },

  // Restore test and restore
  {
    name: 'staging-vault-address',
    description:
      'A standing staging Vault/OpenBao that receives the restore test; empty starts a throwaway, network-isolated cluster instead. Never production.',
    commands: ['restore-test'],
  },
  {
    name: 'staging-vault-token',
    description:
      "Token for the standing staging cluster before the restore (not needed once staging holds a restored copy: one is generated from the source's unseal keys).",
    env: 'VAULT_BACKUP_STAGING_TOKEN',
    secret: true,
    commands: ['restore-test'],
  },
  ...clusterConnectionInputs('staging-vault', 'the staging cluster', ['restore-test'], 'VAULT_BACKUP_STAGING_CA_CERT'),
  {
    name: 'restore-server-binary',
    description: 'Vault or OpenBao binary for the throwaway restore cluster (a path or a name on PATH); default: vault, then bao, on PATH.',
    commands: THROWAWAY_COMMANDS,
  },
  {
    name: 'restore-seal-config',
    description:
      'For an auto-unseal source (transit, awskms, gcpckms, azurekeyvault): its `seal "TYPE" { ... }` stanza, with the credentials it needs. The throwaway cluster starts with it and may reach only that seal\'s endpoint.',
    env: 'VAULT_BACKUP_RESTORE_SEAL_CONFIG',
    secret: true,
    commands: THROWAWAY_COMMANDS,
  },
  {
    name: 'restore-seal-egress',
    description: 'More host:port pairs the throwaway cluster may reach for its seal (comma separated), beyond the endpoint its stanza names.',
    commands: THROWAWAY_COMMANDS,
  },
  {
    name: 'restore-isolation',
    description: 'Where the throwaway cluster cannot get its own network namespace: required (refuse) or best-effort (warn, run on loopback).',
    default: 'required',
    commands: THROWAWAY_COMMANDS,
  },
  {
    name: 'source-unseal-keys',
    description: 'Unseal keys of the SOURCE cluster (newline or comma separated): they unseal the restored data and generate a token in it.',
    env: 'VAULT_BACKUP_SOURCE_UNSEAL_KEYS',
    secret: true,
    commands: RESTORE_COMMANDS,
  },
  {
    name: 'source-seal',
    description: "Key shares/threshold of the source's Shamir seal (e.g. 5/3), for backups whose manifest does not record it.",
    commands: RESTORE_COMMANDS,
  },
  {
    name: 'restored-login',
    description:
      "How to get a token in the restored data: generate-root (from the source's unseal keys, revoked afterwards) or source-auth (the vault-* login settings).",
    default: 'generate-root',
    commands: RESTORE_COMMANDS,
  },
  {
    name: 'restored-vault-token',
    description: 'A token valid in the restored data; overrides restored-login.',
    env: 'VAULT_BACKUP_RESTORED_TOKEN',
    secret: true,
    commands: RESTORE_COMMANDS,
  },
  { name: 'canary-paths', description: 'Secrets to read after the restore, one KV path per line (e.g. secret/canary).', commands: CANARY_COMMANDS },
  { name: 'canary-sha256', description: 'Optional "path=sha256hex" lines: expected SHA-256 of each canary secret\'s JSON data.', commands: CANARY_COMMANDS },
  {
    name: 'allow-same-cluster',
    description: "Accept a staging cluster that reports the source's cluster id when the source cannot be reached to tell it from a clone (dangerous).",
    default: 'false',
    commands: ['restore-test'],
  },
  {
    name: 'restore-timeout-seconds',
    description: 'Longest wait for each step of bringing the restored cluster back (applying the snapshot, a restart, unsealing).',
    default: '180',
    commands: RESTORE_COMMANDS,
  },
  { name: 'restore-vault-address', description: 'The cluster a real restore overwrites (initialised and unsealed with its own keys).', commands: ['restore'] },
  {
    name: 'restore-vault-token',
    description: 'Root token of the cluster a real restore overwrites (from its own init).',
    env: 'VAULT_BACKUP_RESTORE_TOKEN',
    secret: true,
    commands: ['restore'],
  },
  ...clusterConnectionInputs('restore-vault', 'the cluster a real restore overwrites', ['restore'], 'VAULT_BACKUP_RESTORE_CA_CERT'),
  { name: 'confirm-restore-into', description: 'Must repeat restore-vault-address exactly: everything in that cluster is replaced.', commands: ['restore'] },

  // Recover and diff
  {
    name: 'recover-paths',
    description:
      'What to recover, one API path per line: a KV secret (secret/app/db, every version), a KV prefix (secret/app/), a policy (sys/policies/acl/NAME), an auth role (auth/approle/role/NAME).',
    commands: ['recover'],
  },
  { name: 'recover-max-paths', description: 'Most secrets a prefix in recover-paths may select; more is refused.', default: '100', commands: ['recover'] },
  {
    name: 'recover-output',
    description: 'A new file (JSON, mode 0600) to write what was recovered to, values included; never an existing file. Values never reach the log.',
    commands: ['recover'],
  },
  {
    name: 'recover-into',
    description:
      'A live cluster to write what was recovered into, with the vault-* login settings: KV v2 as a new version; refused where the live value is newer than the backup.',
    commands: ['recover'],
  },
  { name: 'confirm-recover-into', description: 'Must repeat recover-into exactly.', commands: ['recover'] },
  {
    name: 'recover-force',
    description: 'Write over live values newer than the backup (KV v2 keeps them in its history) or differing from it (policies, roles, KV v1).',
    default: 'false',
    commands: ['recover'],
  },
  {
    name: 'diff-from',
    description: 'The backup diff starts from: latest, latest-monthly, a date (YYYY-MM-DD) or an object key.',
    default: 'latest',
    commands: ['diff'],
  },
  {
    name: 'diff-to',
    description: 'What diff compares with: live (the cluster at vault-address, with the vault-* login), or a backup like diff-from.',
    default: 'live',
    commands: ['diff'],
  },
  {
    name: 'diff-with-previous',
    description: 'After the backup, report what changed since the previous backup (both restored into throwaway clusters; needs source-unseal-keys).',
    default: 'false',
    commands: ['backup'],
  },

  // Decrypt / encrypt (CLI)
  {
    name: 'in',
    description: 'Input file, s3://bucket/key, az://account/container/key (decrypt), gs://bucket/key (decrypt), or - for stdin.',
    commands: ['decrypt', 'encrypt'],
    cliOnly: true,
  },
  { name: 'out', description: 'Output file, or - for stdout.', commands: ['decrypt', 'encrypt'], cliOnly: true },
  { name: 'legacy', description: "Read the original design's layout (16-byte IV, tag, ciphertext).", default: 'false', commands: ['decrypt'], cliOnly: true },
  {
    name: 'backup-id',
    description:
      'Backup id to bind into (encrypt) or expect from (decrypt) the file; defaults to the file name, and is required for a file not named like a backup or stdin.',
    commands: ['decrypt', 'encrypt'],
    cliOnly: true,
  },
  {
    name: 'skip-backup-id-check',
    description: 'Decrypt a file not named like a backup (or stdin) without checking which backup it is.',
    default: 'false',
    commands: ['decrypt'],
    cliOnly: true,
  },
  { name: 'force', description: 'Replace an existing --out file.', default: 'false', commands: ['decrypt', 'encrypt'], cliOnly: true },

  // Notifications (action)
  {
    name: 'github-token',
    description: 'Token for incident issues (needs issues: write); empty disables them.',
    default: '${{ github.token }}',
    secret: true,
    actionOnly: true,
  },
  { name: 'incident-label', description: 'Label that marks incident issues opened by this action.', default: 'vault-backup-incident', actionOnly: true },
  {
    name: 'slack-webhook-url',
    description: 'Slack incoming-webhook URL for failure (and optionally success) messages.',
    env: 'VAULT_BACKUP_SLACK_WEBHOOK_URL',
    secret: true,
  },
  { name: 'notify-on-success', description: 'Also post to Slack when the command succeeds.', default: 'false' },
  {
    name: 'metrics-file',
    description:
      "Write the run's Prometheus metrics (last success, duration, bytes, raft index, RTO, the failing component) to this file, for node_exporter's textfile collector.",
    env: 'VAULT_BACKUP_METRICS_FILE',
  },
  {
    name: 'metrics-pushgateway-url',
    description: "Push the run's Prometheus metrics to this Pushgateway (job vault_backup, grouped by command and target).",
    env: 'VAULT_BACKUP_METRICS_PUSHGATEWAY_URL',
  },
  {
    name: 'heartbeat-url',
    description:
      "Heartbeat (dead man's switch) URL, e.g. a healthchecks.io or Cronitor check: pinged at URL/start, at URL on success and at URL/fail on failure, so a schedule that stops firing is noticed.",
    env: 'VAULT_BACKUP_HEARTBEAT_URL',
    secret: true,
  },
] as const satisfies readonly InputDefinition[];

/** Every setting's name, from the input table: a misspelt name does not compile. */
export type InputName = (typeof INPUT_TABLE)[number]['name'];

export const INPUTS: ReadonlyArray<InputDefinition<InputName>> = INPUT_TABLE;

export function inputsFor(command: CommandName, side: 'cli' | 'action'): Array<InputDefinition<InputName>> {
  return INPUTS.filter((d) => (!d.commands || d.commands.includes(command)) && !(side === 'cli' ? d.actionOnly : d.cliOnly));
}

export function definitionOf(name: string): InputDefinition<InputName> | undefined {
  return INPUTS.find((d) => d.name === name);
}
