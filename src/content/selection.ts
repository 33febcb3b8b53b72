/**
 * What recover is asked for, one item per line of recover-paths, by its API path: a KV secret (mount and
 * path, e.g. secret/app/db), a KV prefix (ending in /), a policy (sys/policies/acl/NAME), or an auth role
 * (auth/MOUNT/role/NAME, or wherever its method keeps it). Pure.
 */
import { InputError } from '../errors.js';

export type Selection =
  { kind: 'kv'; path: string } | { kind: 'kv-prefix'; prefix: string } | { kind: 'policy'; name: string } | { kind: 'auth-role'; path: string };

const POLICY = /^sys\/polic(?:ies\/acl|y)\/([^/]+)$/;

export function parseSelection(line: string): Selection {
  const text = line.trim().replace(/^\/+/, '');
  if (!text || /\s/.test(text) || text.split('/').some((s, i, all) => s === '..' || s === '.' || (s === '' && i < all.length - 1)))
    throw new InputError(
      'recover-paths',
      `${JSON.stringify(line)} is not a path like secret/app/db, secret/app/, sys/policies/acl/NAME or auth/approle/role/NAME`,
    );
  const policy = POLICY.exec(text);
  if (policy) return { kind: 'policy', name: policy[1]! };
  if (text.startsWith('sys/')) throw new InputError('recover-paths', `${text}: of sys/ only ACL policies (sys/policies/acl/NAME) can be recovered`);
  if (text.startsWith('auth/')) {
    if (text.endsWith('/') || text.split('/').length < 4)
      throw new InputError('recover-paths', `${text} is not one auth role: give its full path, e.g. auth/approle/role/NAME`);
    return { kind: 'auth-role', path: text };
  }
  if (!text.includes('/'))
    throw new InputError('recover-paths', `${text} names a mount, not a secret: give mount/path, or mount/ with a trailing slash for everything under it`);
  return text.endsWith('/') ? { kind: 'kv-prefix', prefix: text } : { kind: 'kv', path: text };
}

export function parseSelections(lines: string[]): Selection[] {
  if (!lines.length) throw new InputError('recover-paths', 'is required: name what to recover, one path per line');
  return lines.map(parseSelection);
}
