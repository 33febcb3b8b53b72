/** How to reach and authenticate to one Vault/OpenBao cluster. */
export type VaultAuth =
  | { method: 'token'; token: string }
  | { method: 'jwt'; role: string; jwt: string; mount: string }
  | { method: 'approle'; roleId: string; secretId: string; mount: string };

export interface VaultSettings {
  /** Base address, e.g. https://vault.example.com:8200 (no /v1). With `socketPath`, only names the server in messages. */
  address: string;
  /** A unix socket to reach the server through instead of TCP (the throwaway restore cluster). */
  socketPath?: string;
  namespace?: string;
  /** PEM bundle that signs the server certificate. */
  caCert?: string;
  tlsSkipVerify?: boolean;
  /** Time to wait for response headers (and for each login/health call). */
  requestTimeoutMs: number;
  /** Longest pause allowed between two pieces of a snapshot body before the transfer counts as stalled. */
  idleTimeoutMs: number;
  /**
   * Other origins (scheme://host:port) that may receive this cluster's credentials when sys/leader names
   * them as the active node. Empty: requests go to `address` only.
   */
  allowedLeaders?: string[];
  auth: VaultAuth;
}
