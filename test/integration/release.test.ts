/**
 * npm run release, in a throwaway clone of this repository: a dry run prints the tags and push commands and
 * changes nothing; a dirty tree is refused; a real run commits the version, tags vX.Y.Z and moves vX.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../harness/processes.js';

let clone: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: clone, encoding: 'utf8' }).trim();
const identity = {
  GIT_AUTHOR_NAME: 'release test',
  GIT_AUTHOR_EMAIL: 'release@example.invalid',
  GIT_COMMITTER_NAME: 'release test',
  GIT_COMMITTER_EMAIL: 'release@example.invalid',
};
// Each run builds the bundles: on a loaded 2-core runner (the suite runs in parallel) that has taken over two minutes.
const release = (...args: string[]) =>
  spawnSync('bash', ['scripts/release.sh', ...args], { cwd: clone, encoding: 'utf8', timeout: 300000, env: { ...process.env, ...identity } });

beforeAll(() => {
  // The committed state of this repository, with this checkout's dependencies as hard links (a real
  // node_modules directory beside the sources, so the bundle it builds is the one CI builds).
  mkdirSync(join(ROOT, '.tools'), { recursive: true });
  clone = mkdtempSync(join(ROOT, '.tools', 'release-test-'));
  execFileSync('git', ['clone', '-q', ROOT, clone]);
  execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(clone, 'node_modules')]);
  writeFileSync(join(clone, '.git', 'info', 'exclude'), 'node_modules\n');
});

afterAll(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

it('a dry run prints the tags and push commands and changes nothing; a dirty tree and a bad version are refused', () => {
  const head = git('rev-parse', 'HEAD');
  const dry = release('0.2.0', '--dry-run');
  expect({ status: dry.status, out: dry.stdout + dry.stderr }).toMatchObject({ status: 0 });
  expect(dry.stdout).toContain("git tag -a v0.2.0 -m 'vault-backup-action v0.2.0'");
  expect(dry.stdout).toContain("git tag -f -a v0 -m 'vault-backup-action v0.2.0'");
  expect(dry.stdout).toContain('git push origin HEAD v0.2.0');
  expect(dry.stdout).toContain('git push -f origin v0');
  expect(git('tag', '--list')).toBe('');
  expect(git('rev-parse', 'HEAD')).toBe(head);
  expect(git('status', '--porcelain')).toBe('');

  expect(release('0.2').status).toBe(2);
  expect(release('0.0.1', '--dry-run').stderr).toMatch(/is not newer than package\.json's/);
  writeFileSync(join(clone, 'stray.txt'), 'uncommitted');
  expect(release('0.2.0', '--dry-run').stderr).toMatch(/working tree is not clean/);
  rmSync(join(clone, 'stray.txt'));
}, 600000);

it('a release commits the version and changelog, tags vX.Y.Z and moves vX to it', () => {
  const r = release('0.2.0');
  expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0 });
  expect(JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')).version).toBe('0.2.0');
  expect(readFileSync(join(clone, 'CHANGELOG.md'), 'utf8')).toMatch(/## \[Unreleased\]\n\n## \[0\.2\.0\] - \d{4}-\d{2}-\d{2}/);
  expect(git('log', '-1', '--format=%s')).toBe('Release v0.2.0');
  expect(git('rev-parse', 'v0.2.0^{commit}')).toBe(git('rev-parse', 'HEAD'));
  expect(git('rev-parse', 'v0^{commit}')).toBe(git('rev-parse', 'HEAD'));
  expect(r.stdout).toContain('git push -f origin v0');
}, 600000);
