/**
 * Microsoft's Azurite (Blob service) on 127.0.0.1, installed by scripts/install-test-servers.sh.
 * The account is Azurite's well-known development account; no real account can be reached.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { freePort, startProcess, waitFor, type RunningProcess } from './processes.js';
import { existsSync } from 'node:fs';

const SERVERS = process.env.VAULT_BACKUP_TEST_SERVERS ?? join(new URL('../..', import.meta.url).pathname, '.test-servers');
export const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteServer {
  endpoint: string;
  connectionString: string;
  process: RunningProcess;
  service(): BlobServiceClient;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<AzuriteServer> {
  const binary = join(SERVERS, 'azurite', 'node_modules', '.bin', 'azurite-blob');
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run "npm run test-servers" (scripts/install-test-servers.sh) first`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'azurite-'));
  const proc = startProcess(
    binary,
    ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir, '--skipApiVersionCheck', '--loose'],
    join(dir, 'azurite.log'),
  );
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`;
  const service = () => BlobServiceClient.fromConnectionString(connectionString);
  await waitFor(
    'Azurite to listen',
    async () => {
      await service().getProperties();
      return true;
    },
    30000,
    () => proc.log(),
  );
  return {
    endpoint,
    connectionString,
    process: proc,
    service,
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
