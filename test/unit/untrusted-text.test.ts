/** Foreign text (a server's words in an error) is masked and made inert before an issue, a summary or Slack shows it. */
import { describe, expect, it } from '@jest/globals';
import { defuseMarkers, fencedBlock, inertReport, redact } from '../../src/notify/untrusted-text.js';
import type { RunReport } from '../../src/notify/run-report.js';

describe('redact', () => {
  it.each([
    ['a secret anywhere', 'token s.abcdef in the body', ['s.abcdef'], 'token *** in the body'],
    ['every occurrence', 'k1k1 k1k1', ['k1k1'], '*** ***'],
    ['the longest secret first, so no part of it stays visible', 'abcdefgh', ['abcd', 'abcdefgh'], '***'],
    ['secrets shorter than 4 characters are left (they would mask ordinary words)', 'the key is abc', ['abc'], 'the key is abc'],
    ['duplicates are harmless', 'x secret1 y', ['secret1', 'secret1'], 'x *** y'],
    ['no secrets', 'plain', [], 'plain'],
  ])('%s', (_name, text, secrets, expected) => {
    expect(redact(text, secrets)).toBe(expected);
  });
});

describe('defuseMarkers', () => {
  it.each([
    ['<!-- vault-backup-incident:backup:s3://x -->', '<!- - vault-backup-incident:backup:s3://x - ->'],
    ['a-->b<!--c', 'a- ->b<!- -c'],
    ['nothing to do', 'nothing to do'],
  ])('%j', (text, expected) => {
    expect(defuseMarkers(text)).toBe(expected);
    expect(defuseMarkers(text)).not.toMatch(/<!--|-->/);
  });
});

describe('fencedBlock', () => {
  it.each([
    ['plain text', '```'],
    ['a ``` fence inside', '````'],
    ['a `````` run inside', '```````'],
  ])('%s cannot close its block', (text, fence) => {
    const block = fencedBlock(text);
    expect(block.startsWith(`${fence}text\n`)).toBe(true);
    expect(block.endsWith(`\n${fence}`)).toBe(true);
    expect(block.slice(fence.length + 4, -fence.length)).not.toContain(fence);
  });
});

describe('inertReport', () => {
  const report = {
    ok: false,
    headline: 'backup failed: <!-- marker --> hvs.SECRETTOKEN',
    facts: [['server said', 'denied for hvs.SECRETTOKEN -->']],
    error: { component: 'vault', message: 'HTTP 403 from hvs.SECRETTOKEN', hint: 'check <!-- x' },
  } as unknown as RunReport;

  it('masks and defuses the headline, every fact, the error and its hint', () => {
    const clean = inertReport(report, ['hvs.SECRETTOKEN']);
    const text = JSON.stringify(clean);
    expect(text).not.toContain('SECRETTOKEN');
    expect(text).not.toMatch(/<!--|-->/);
    expect(clean.headline).toBe('backup failed: <!- - marker - -> ***');
    expect(clean.facts).toEqual([['server said', 'denied for *** - ->']]);
    expect(clean.error).toEqual({ component: 'vault', message: 'HTTP 403 from ***', hint: 'check <!- - x' });
  });

  it('leaves a report without an error without one', () => {
    const { error: _error, ...ok } = report as RunReport & { error?: unknown };
    expect(inertReport(ok as RunReport, []).error).toBeUndefined();
  });
});
