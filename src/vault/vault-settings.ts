/** How to reach and authenticate to one Vault/OpenBao cluster. */
export type VaultAuth =
  | { method: 'token'; token: string }
  | { method: 'jwt'; role: string; jwt: string; mount: string }
  | { method: 'approle'; roleId: string; secretId: string; mount: string };

export interface VaultSettings {
  /** Base address, e.g. https://vault.example.com:8200 (no /v1). */
  address: string;
  namespace?: string;
  /** PEM bundle that signs the server certificate. */
  caCert?: string;
  tlsSkipVerify?: boolean;
  /** Time to wait for response headers (and for each login/health call). */
  requestTimeoutMs: number;
  /** Longest pause allowed between two pieces of a snapshot body before the transfer counts as stalled. */
  idleTimeoutMs: number;
  auth: VaultAuth;
}
