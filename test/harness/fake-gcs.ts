/**
 * fake-gcs-server (a Cloud Storage emulator, built from the Go module proxy by
 * scripts/install-test-servers.sh) on 127.0.0.1, in memory, without authentication.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { freePort, serverBinary, startProcess, waitFor, type RunningProcess } from './processes.js';

export interface FakeGcsServer {
  endpoint: string;
  process: RunningProcess;
  storage(): Storage;
  stop(): Promise<void>;
}

export async function startFakeGcs(): Promise<FakeGcsServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fake-gcs-'));
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = startProcess(
    serverBinary('fake-gcs-server'),
    ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'memory', '-external-url', endpoint, '-log-level', 'warn'],
    join(dir, 'fake-gcs.log'),
  );
  await waitFor(
    'fake-gcs-server to listen',
    async () => ((await fetch(`${endpoint}/storage/v1/b?project=test`)).ok ? true : undefined),
    30000,
    () => proc.log(),
  );
  return {
    endpoint,
    process: proc,
    storage: () => new Storage({ apiEndpoint: endpoint, projectId: 'test' }),
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
