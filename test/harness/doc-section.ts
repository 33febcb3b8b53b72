/** A section of a doc generated from a test's own table: the test fails when they differ; UPDATE_RELIABILITY=1 rewrites it. */
import { expect } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes.js';

/** Checks (or, with UPDATE_RELIABILITY=1, writes) the part of `doc` between `<!-- name:start -->` and `<!-- name:end -->`. */
export function expectGeneratedSection(doc: string, name: string, content: string): void {
  const path = join(ROOT, doc);
  const text = readFileSync(path, 'utf8');
  const generated = text.replace(new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`), `<!-- ${name}:start -->\n${content}\n<!-- ${name}:end -->`);
  if (process.env.UPDATE_RELIABILITY === '1') writeFileSync(path, generated);
  else expect(text).toBe(generated);
}
