/**
 * Logging in with node-vault (JSON endpoints only; it cannot carry snapshot bodies). Token auth needs
 * no call; JWT (GitHub OIDC) and AppRole exchange their credentials for a short-lived token.
 */
import NodeVault from 'node-vault';
import { VaultError } from '../errors.js';
import type { VaultSettings } from './vault-settings.js';

export function nodeVaultClient(settings: VaultSettings, token?: string): NodeVault.client {
  return NodeVault({
    endpoint: settings.address.replace(/\/+$/, ''),
    apiVersion: 'v1',
    // Passed explicitly: node-vault otherwise falls back to VAULT_* environment variables, and treats any
    // VAULT_SKIP_VERIFY value (even "false") as "skip".
    ...(token ? { token } : { token: '' }),
    ...(settings.namespace ? { namespace: settings.namespace } : {}),
    requestOptions: {
      strictSSL: !settings.tlsSkipVerify,
      timeout: settings.requestTimeoutMs,
      ...(settings.caCert ? { ca: settings.caCert } : {}),
    },
  });
}

export async function loginToVault(settings: VaultSettings): Promise<string> {
  const auth = settings.auth;
  if (auth.method === 'token') return auth.token;
  const client = nodeVaultClient(settings);
  try {
    const result =
      auth.method === 'jwt'
        ? await client.jwtLogin({ mount_point: auth.mount, role: auth.role, jwt: auth.jwt })
        : await client.approleLogin({ mount_point: auth.mount, role_id: auth.roleId, secret_id: auth.secretId });
    const token: unknown = result?.auth?.client_token;
    if (typeof token !== 'string' || !token) throw new Error('the login response carried no client token');
    return token;
  } catch (error) {
    throw loginError(settings, error);
  }
}

function loginError(settings: VaultSettings, error: unknown): VaultError {
  const auth = settings.auth;
  const where = auth.method === 'jwt' ? `JWT login (mount "${auth.mount}", role "${auth.role}")` : auth.method === 'approle' ? `AppRole login (mount "${auth.mount}")` : 'token login';
  const status: number | undefined = (error as { response?: { statusCode?: number } }).response?.statusCode;
  const message = (error as Error).message;
  const hint =
    auth.method === 'jwt'
      ? 'check that the role exists, that bound_audiences contains the audience requested (vault-jwt-audience), and that bound_claims match this repository and ref'
      : auth.method === 'approle'
        ? 'check the role id and secret id, and that the secret id has not expired'
        : undefined;
  const code = (error as { code?: string }).code;
  if (!status && code) {
    return new VaultError(`${where} to ${settings.address} failed: cannot reach the server (${code})`, { hint: 'check vault-address and that the runner can reach it', cause: error });
  }
  return new VaultError(`${where} to ${settings.address} failed${status ? ` (HTTP ${status})` : ''}: ${message}`, {
    ...(hint ? { hint } : {}),
    ...(status ? { status } : {}),
    cause: error,
  });
}
