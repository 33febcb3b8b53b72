/**
 * A real moto_server (S3, KMS, STS) on 127.0.0.1. Each test file gets its own process, so buckets
 * never leak between suites.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { KMSClient } from '@aws-sdk/client-kms';
import { freePort, serverBinary, startProcess, waitFor, type RunningProcess } from './processes.js';

export const TEST_REGION = 'us-east-1';
/** moto accepts any credentials; these are obviously fake so no real account can be touched. */
export const TEST_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface MotoServer {
  endpoint: string;
  process: RunningProcess;
  /** A client of this server; `through`: the address of a proxy in front of it (a fault proxy). */
  s3(through?: string): S3Client;
  kms(): KMSClient;
  /** Environment for a child process (CLI or bundled action) to reach this server. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

/** `tls`: serve https with this certificate (PEM files); a client must trust `certFile` (e.g. NODE_EXTRA_CA_CERTS). */
export async function startMoto(options: { tls?: { certFile: string; keyFile: string } } = {}): Promise<MotoServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'moto-'));
  const tlsArgs = options.tls ? ['-c', options.tls.certFile, '-k', options.tls.keyFile] : [];
  const proc = startProcess(serverBinary('moto_server'), ['-H', '127.0.0.1', '-p', String(port), ...tlsArgs], join(dir, 'moto.log'));
  const endpoint = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const ca = options.tls ? readFileSync(options.tls.certFile) : undefined;
  await waitFor(
    'moto_server to listen',
    async () => ((await probe(`${endpoint}/moto-api/`, ca)) ? true : undefined),
    30000,
    () => proc.log(),
  );
  return {
    endpoint,
    process: proc,
    // Over https, trusting the server's certificate (an agent of its own: NODE_EXTRA_CA_CERTS is read at start-up only).
    s3: (through) =>
      new S3Client({
        endpoint: through ?? endpoint,
        region: TEST_REGION,
        forcePathStyle: true,
        credentials: TEST_CREDENTIALS,
        ...(ca ? { requestHandler: { httpsAgent: new Agent({ ca }) } } : {}),
      }),
    kms: () => new KMSClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS }),
    env: () => ({
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_REGION: TEST_REGION,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ENDPOINT_URL_KMS: endpoint,
    }),
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether `url` answers 200; over https, trusting `ca` (fetch reads extra CAs only at process start). */
function probe(url: string, ca: Buffer | undefined): Promise<boolean> {
  if (!ca) return fetch(url).then((response) => response.ok);
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    }).on('error', reject);
  });
}
