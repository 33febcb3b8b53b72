/** Reading the canary secrets after a restore: present, and (optionally) with the expected value hash. */
import { canonicalJson } from '../util/canonical-json.js';
import { createHash } from 'node:crypto';
import { RestoreError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Vault } from '../vault/vault-client.js';

export interface Canary {
  path: string;
  /** Hex SHA-256 of the secret's data as canonical JSON (keys sorted, no spaces); optional. */
  sha256?: string;
}

export interface CanaryResult {
  path: string;
  found: boolean;
  hashChecked: boolean;
}

/** SHA-256 of canonical JSON: object keys sorted at every level, no whitespace (same as `jq -cS`). */
export function canonicalSha256(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export async function readCanaries(cluster: Vault, token: string, canaries: Canary[], log: Logger): Promise<CanaryResult[]> {
  const results: CanaryResult[] = [];
  for (const canary of canaries) {
    const data = await cluster.readKv(token, canary.path);
    if (data === undefined) {
      throw new RestoreError(`canary secret ${canary.path} is missing from the restored data`, {
        hint: 'the backup does not hold it: check that the canary exists in production and that backups are recent',
      });
    }
    if (canary.sha256 && canonicalSha256(data) !== canary.sha256.toLowerCase()) {
      throw new RestoreError(`canary secret ${canary.path} was restored with a different value than expected`, {
        hint: 'update canary-sha256 if the canary was changed on purpose; otherwise the restore is wrong',
      });
    }
    log.info(`canary ${canary.path}: present${canary.sha256 ? ', value hash matches' : ''}`);
    results.push({ path: canary.path, found: true, hashChecked: Boolean(canary.sha256) });
  }
  return results;
}
