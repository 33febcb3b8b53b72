/**
 * A stand-in for GitHub's OIDC issuer: signs RS256 JWTs with a local key pair, and serves the
 * Actions token-request endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) so the bundled action can fetch one.
 * Vault/OpenBao trust it through jwt_validation_pubkeys, so no discovery over the network is needed.
 */
import { createServer, type Server } from 'node:http';
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface TestIssuer {
  publicKeyPem: string;
  sign(claims: Record<string, unknown>): string;
  /** Claims like GitHub's for a workflow run of `repository` on `ref`. */
  githubToken(audience: string, overrides?: Record<string, unknown>): string;
  /** Endpoint for ACTIONS_ID_TOKEN_REQUEST_URL; records requests. */
  serve(
    requestToken: string,
    claims?: Record<string, unknown>,
  ): Promise<{ url: string; requests: Array<{ audience: string | null; authorization: string | undefined }>; close(): Promise<void> }>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function createTestIssuer(): TestIssuer {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sign = (claims: Record<string, unknown>) => signJwt(privateKey, claims);
  const githubToken = (audience: string, overrides: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return sign({
      iss: GITHUB_ISSUER,
      aud: audience,
      sub: 'repo:acme/platform:ref:refs/heads/main',
      repository: 'acme/platform',
      repository_owner: 'acme',
      ref: 'refs/heads/main',
      workflow_ref: 'acme/platform/.github/workflows/vault-backup.yml@refs/heads/main',
      iat: now,
      nbf: now - 5,
      exp: now + 600,
      ...overrides,
    });
  };
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign,
    githubToken,
    serve: async (requestToken, claims = {}) => {
      const requests: Array<{ audience: string | null; authorization: string | undefined }> = [];
      const server: Server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const audience = url.searchParams.get('audience');
        requests.push({ audience, authorization: req.headers.authorization });
        if (req.headers.authorization !== `Bearer ${requestToken}`) {
          res.writeHead(401).end('bad request token');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: githubToken(audience ?? 'https://github.com/acme', claims) }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      return {
        url: `http://127.0.0.1:${port}/token?api-version=2.0`,
        requests,
        close: () => new Promise<void>((r) => server.close(() => r())),
      };
    },
  };
}

function signJwt(key: KeyObject, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'test-issuer' }));
  const body = b64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key);
  return `${head}.${body}.${b64url(signature)}`;
}
