/**
 * Jest runs the TypeScript sources as ESM through ts-jest, and reports line coverage of src/ and action/.
 * Two projects: every test on OpenBao, and the suites that talk to a Vault server again on HashiCorp Vault
 * (the harness reads VAULT_BACKUP_TEST_SERVER, set by test/harness/use-hashicorp-vault.js).
 */
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
};

/** The suites that start a Vault server and run the tool against it. */
export const VAULT_FACING = [
  'action',
  'auto-unseal',
  'backup',
  'cloud-stores',
  'data-anomaly',
  'fault-matrix',
  'hostile-target-backup',
  'recover-diff',
  'replica',
  'restore-cluster',
  'runbook',
  'trust-boundaries',
  'vault-tls',
  'verify-restore',
];

export default {
  projects: [
    { ...base, displayName: 'openbao', testMatch: ['<rootDir>/test/**/*.test.ts'] },
    {
      ...base,
      displayName: 'hashicorp-vault',
      testMatch: VAULT_FACING.map((name) => `<rootDir>/test/integration/${name}.test.ts`),
      setupFiles: ['<rootDir>/test/harness/use-hashicorp-vault.js'],
    },
  ],
  testTimeout: 60000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/harness/closing-line-reporter.js'],
  // In-process code only: the bundled dist/ that some tests run in a child process is not counted.
  collectCoverage: true,
  coverageProvider: 'v8',
  collectCoverageFrom: ['src/**/*.ts', 'action/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageThreshold: { global: { lines: 85 } },
};
