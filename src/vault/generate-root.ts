/**
 * A root token made from unseal keys alone (sys/generate-root with a one-time password): what a
 * restore needs when the only credentials left are the bucket, the decryption key and the unseal keys.
 * The token is XORed with the OTP on the wire; it is used inside the restored cluster only and revoked
 * by the caller before the cluster is handed back.
 */
import { RestoreError, VaultError } from '../errors.js';
import type { Logger } from '../log.js';
import type { VaultHttp } from './vault-http.js';

interface GenerateRootStatus {
  nonce?: string;
  started?: boolean;
  progress?: number;
  required?: number;
  complete?: boolean;
  encoded_token?: string;
  otp?: string;
}

/** The token from `encoded_token` and the OTP: base64 (raw or padded) XOR the OTP's bytes. */
export function decodeRootToken(encoded: string, otp: string): string {
  const bytes = Buffer.from(encoded, 'base64');
  const pad = Buffer.from(otp, 'utf8');
  if (bytes.length !== pad.length) throw new RestoreError(`generate-root returned a token of ${bytes.length} bytes for an OTP of ${pad.length}`);
  return Buffer.from(bytes.map((b, i) => b ^ pad[i]!)).toString('utf8');
}

/** Runs the generate-root flow over the cluster's HTTP layer (`address` names it in errors). */
export async function generateRootToken(http: VaultHttp, unsealKeys: string[], log: Logger): Promise<string> {
  const cluster = { address: http.settings.address };
  const path = 'sys/generate-root/attempt';
  let start = await http.json<GenerateRootStatus>('POST', path, { json: {}, ok: [200, 400, 403, 405] });
  if (start.status === 400 && /in progress/i.test(JSON.stringify(start.data))) {
    // Left over from an interrupted run: an attempt blocks every other one until cancelled.
    log.warn(`a root token generation was already in progress on ${cluster.address}; cancelling it and starting again`);
    await http.json('DELETE', path, { ok: [200, 204] });
    start = await http.json<GenerateRootStatus>('POST', path, { json: {}, ok: [200, 400, 403, 405] });
  }
  if (start.status === 403 || start.status === 405 || (start.status === 400 && /unsupported operation/i.test(JSON.stringify(start.data)))) {
    throw new RestoreError(
      `${cluster.address} refuses sys/generate-root (HTTP ${start.status}): the unauthenticated generate-root endpoints are disabled on the listener it was reached through`,
      {
        hint: 'OpenBao 2.5.3 and later disable them by default: set disable_unauthed_generate_root_endpoints = false on a listener only the restore reaches, or give a token valid in the restored data (restored-vault-token)',
      },
    );
  }
  if (start.status !== 200) throw new RestoreError(`starting a root token generation on ${cluster.address} failed (HTTP ${start.status})`);
  const { nonce, otp } = start.data;
  if (!nonce || !otp) {
    await http.json('DELETE', path, { ok: [200, 204, 400] }).catch(() => undefined);
    throw new RestoreError(`${cluster.address} started a root token generation without a one-time password`, {
      hint: 'the server is older than Vault 1.10 / OpenBao 2.0; give restored-vault-token instead',
    });
  }
  let status: GenerateRootStatus = start.data;
  try {
    for (const key of unsealKeys) {
      const res = await http.json<GenerateRootStatus>('POST', 'sys/generate-root/update', { json: { key, nonce }, ok: [200, 400] });
      if (res.status !== 200) {
        throw new RestoreError(`an unseal key was rejected while generating a root token on ${cluster.address}: ${JSON.stringify(res.data).slice(0, 200)}`, {
          hint: 'source-unseal-keys must be unseal keys of the cluster the backup came from',
        });
      }
      status = res.data;
      if (status.complete) break;
    }
  } catch (error) {
    await http.json('DELETE', path, { ok: [200, 204, 400] }).catch(() => undefined);
    if (error instanceof RestoreError) throw error;
    throw new RestoreError(`generating a root token on ${cluster.address} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!status.complete || !status.encoded_token) {
    await http.json('DELETE', path, { ok: [200, 204, 400] }).catch(() => undefined);
    throw new RestoreError(
      `${unsealKeys.length} unseal key(s) are not enough to generate a root token on ${cluster.address} (it needs ${status.required ?? 'more'})`,
      {
        hint: "give at least the threshold of the source cluster's unseal keys (source-unseal-keys)",
      },
    );
  }
  return decodeRootToken(status.encoded_token, otp);
}

/** Revokes a token made by generateRootToken; a failure is reported, never hidden. */
export async function revokeGeneratedToken(cluster: { address: string; revokeSelf(token: string): Promise<void> }, token: string, log: Logger): Promise<void> {
  try {
    await cluster.revokeSelf(token);
    log.info('the generated root token was revoked');
  } catch (error) {
    const message = error instanceof VaultError ? error.describe() : String(error);
    log.warn(`could not revoke the generated root token on ${cluster.address}: ${message}`);
  }
}
