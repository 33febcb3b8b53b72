/**
 * The auto-unseal seal a throwaway restore cluster starts with (restore-seal-config): the source's own `seal`
 * stanza, as in its server configuration. Read here only as far as the tool needs: its type, and the
 * endpoints the seal must reach, which become the cluster's egress allowlist. Pure functions.
 */
import { InputError } from '../errors.js';

export interface SealStanza {
  /** transit, awskms, gcpckms, azurekeyvault, ocikms, kmip, pkcs11... */
  type: string;
  /** The stanza's `key = "string"` settings (credentials among them: never logged). */
  settings: Record<string, string>;
  /** The stanza as given, written into the cluster's configuration unchanged. */
  text: string;
}

export interface Endpoint {
  host: string;
  port: number;
}

export const endpointText = (e: Endpoint): string => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);

/** Parses a `seal "TYPE" { key = "value" ... }` stanza; throws an [input] error naming what is wrong. */
export function parseSealStanza(text: string): SealStanza {
  const trimmed = text.trim();
  const head = /^seal\s+"([a-z0-9_-]+)"\s*\{([\s\S]*)\}$/i.exec(trimmed);
  if (!head)
    throw new InputError(
      'restore-seal-config',
      'is not a seal stanza: expected `seal "TYPE" { ... }`, as in the source cluster\'s server configuration',
      "copy the source cluster's `seal` block (transit, awskms, gcpckms, azurekeyvault...) into restore-seal-config",
    );
  const type = head[1]!.toLowerCase();
  if (type === 'shamir')
    throw new InputError(
      'restore-seal-config',
      'names the shamir seal: a Shamir-sealed source needs no seal stanza',
      'leave restore-seal-config empty for a Shamir-sealed source',
    );
  const settings: Record<string, string> = {};
  for (const line of head[2]!.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$/.exec(line);
    if (m) settings[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  }
  return { type, settings, text: trimmed };
}

/** host:port of a URL, with the scheme's default port. */
function endpointOf(url: string, what: string): Endpoint {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !parsed.hostname)
    throw new InputError('restore-seal-config', `${what} ${JSON.stringify(url)} is not an http(s) URL`, `give ${what} as https://host:port`);
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'http:' ? 80 : 443;
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * The endpoints the seal must reach, from its stanza; `extra` (restore-seal-egress) adds any the stanza does
 * not name (a proxy-less identity endpoint, a private endpoint set outside the stanza).
 */
export function sealEndpoints(seal: SealStanza, extra: Endpoint[] = []): Endpoint[] {
  const s = seal.settings;
  const found: Endpoint[] = [];
  switch (seal.type) {
    case 'transit': {
      const address = s.address;
      if (!address)
        throw new InputError(
          'restore-seal-config',
          'the transit seal has no address',
          'give the transit seal\'s address = "https://unsealer:8200" in the stanza (the tool does not read VAULT_ADDR for it)',
        );
      found.push(endpointOf(address, 'address'));
      break;
    }
    case 'awskms': {
      if (s.endpoint) found.push(endpointOf(s.endpoint, 'endpoint'));
      else {
        const region = s.region;
        if (!region)
          throw new InputError('restore-seal-config', 'the awskms seal has neither region nor endpoint', 'give region = "..." (or endpoint) in the stanza');
        found.push({ host: `kms.${region}.amazonaws.com`, port: 443 });
      }
      break;
    }
    case 'gcpckms':
      found.push({ host: 'cloudkms.googleapis.com', port: 443 }, { host: 'oauth2.googleapis.com', port: 443 });
      break;
    case 'azurekeyvault': {
      if (!s.vault_name) throw new InputError('restore-seal-config', 'the azurekeyvault seal has no vault_name', 'give vault_name = "..." in the stanza');
      const environment = (s.environment ?? 'AZUREPUBLICCLOUD').toUpperCase();
      const suffix = environment === 'AZUREPUBLICCLOUD' ? 'vault.azure.net' : undefined;
      if (suffix) found.push({ host: `${s.vault_name}.${suffix}`, port: 443 }, { host: 'login.microsoftonline.com', port: 443 });
      break;
    }
    default:
      break;
  }
  const all = [...found, ...extra];
  if (!all.length)
    throw new InputError(
      'restore-seal-config',
      `the endpoints of a ${seal.type} seal are not known to the tool`,
      'list the host:port pairs the seal must reach in restore-seal-egress',
    );
  const seen = new Set<string>();
  return all.filter((e) => !seen.has(endpointText(e)) && seen.add(endpointText(e)));
}

/** restore-seal-egress: host:port pairs, separated by commas, spaces or newlines. */
export function parseEgressList(text: string | undefined): Endpoint[] {
  if (!text?.trim()) return [];
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((item) => {
      const m = /^(?:\[([0-9a-f:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/i.exec(item);
      const port = m ? Number(m[3]) : 0;
      if (!m || port < 1 || port > 65535)
        throw new InputError('restore-seal-egress', `${JSON.stringify(item)} is not host:port`, 'give host:port pairs, e.g. kms.eu-west-1.amazonaws.com:443');
      return { host: (m[1] ?? m[2])!.toLowerCase(), port };
    });
}

/** Whether the host is a loopback address, which Go's HTTP clients reach directly, never through a proxy. */
export const isLoopbackHost = (host: string): boolean => host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1';
