// The jest project that runs the Vault-facing suites on HashiCorp Vault: the harness starts `vault` instead of `bao`.
process.env.VAULT_BACKUP_TEST_SERVER = 'vault';
