/**
 * Logging in: token auth needs no call; JWT (GitHub OIDC) and AppRole exchange their credentials for a
 * short-lived token. The login goes through the same HTTP stack as every other Vault request, so it
 * never follows a redirect (a 307 would re-send the secret_id or JWT to another host) and never reads
 * credentials from the environment.
 */
import { VaultError } from '../errors.js';
import { VaultHttp, vaultErrorsOf } from './vault-http.js';
import type { VaultSettings } from './vault-settings.js';

export async function loginToVault(settings: VaultSettings, http?: VaultHttp): Promise<string> {
  const auth = settings.auth;
  if (auth.method === 'token') return auth.token;
  const own = http ? undefined : new VaultHttp(settings);
  const client = http ?? own!;
  const where = auth.method === 'jwt' ? `JWT login (mount "${auth.mount}", role "${auth.role}")` : `AppRole login (mount "${auth.mount}")`;
  try {
    const body = auth.method === 'jwt' ? { role: auth.role, jwt: auth.jwt } : { role_id: auth.roleId, secret_id: auth.secretId };
    const { status, data } = await client.json<{ auth?: { client_token?: unknown } }>('POST', `auth/${auth.mount}/login`, {
      json: body,
      ok: [200, 400, 401, 403],
    });
    if (status !== 200) {
      const hint =
        auth.method === 'jwt'
          ? 'check that the role exists, that bound_audiences contains the audience requested (vault-jwt-audience), and that bound_claims match this repository and ref'
          : 'check the role id and secret id, and that the secret id has not expired';
      throw new VaultError(`${where} to ${settings.address} was refused (HTTP ${status})${vaultErrorsOf(data) ? `: ${vaultErrorsOf(data)}` : ''}`, {
        status,
        hint,
      });
    }
    const token = data?.auth?.client_token;
    if (typeof token !== 'string' || !token)
      throw new VaultError(`${where} to ${settings.address} answered without a client token`, { hint: "check the auth method's configuration on the server" });
    return token;
  } catch (error) {
    if (error instanceof VaultError && error.message.startsWith(where)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new VaultError(`${where} to ${settings.address} failed: ${message}`, {
      ...(error instanceof VaultError && error.hint ? { hint: error.hint } : {}),
      cause: error,
    });
  } finally {
    await own?.close();
  }
}
