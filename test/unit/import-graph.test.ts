/**
 * The structure holds: no import cycle between files or between folders of src/ and action/, the engine never
 * imports the front, and no function in them is longer than a screen.
 */
import { expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import madge from 'madge';
import ts from 'typescript';
import { ROOT } from '../harness/processes.js';

const graph = async () =>
  (await madge([join(ROOT, 'src'), join(ROOT, 'action')], { baseDir: ROOT, fileExtensions: ['ts'], tsConfig: join(ROOT, 'tsconfig.json') })).obj();

/** Every cycle in a directed graph, each as the path that closes it. */
function cycles(edges: Record<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]) => {
    state.set(node, 'open');
    for (const next of edges[node] ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(node, 'done');
  };
  for (const node of Object.keys(edges)) if (!state.has(node)) visit(node, [node]);
  return found;
}

it('has no import cycle between files', async () => {
  const files = await graph();
  expect(Object.keys(files).length).toBeGreaterThan(100);
  expect(cycles(files)).toEqual([]);
});

it('has no import cycle between folders', async () => {
  const files = await graph();
  const folders: Record<string, string[]> = {};
  for (const [file, imports] of Object.entries(files)) {
    const from = dirname(file);
    folders[from] = [...new Set([...(folders[from] ?? []), ...imports.map(dirname).filter((to) => to !== from)])];
  }
  expect(folders['src/commands']).toContain('src/jobs');
  expect(cycles(folders)).toEqual([]);
});

it('the engine never imports the front', async () => {
  const files = await graph();
  const crossing = Object.entries(files).flatMap(([file, imports]) =>
    file.startsWith('src/') ? imports.filter((i) => i.startsWith('action/')).map((i) => `${file} -> ${i}`) : [],
  );
  expect(crossing).toEqual([]);
});

/** Functions, methods and arrow functions with a body, and their length in lines. */
function functionLengths(file: string): Array<{ name: string; lines: number }> {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Array<{ name: string; lines: number }> = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.end).line;
      const name = (node as { name?: ts.Node }).name?.getText(source) ?? '(anonymous)';
      found.push({ name: `${file}:${start + 1} ${name}`, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const sources = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

it('has no function longer than 80 lines', () => {
  const all = [...sources('src'), ...sources('action')].flatMap(functionLengths);
  expect(all.length).toBeGreaterThan(300);
  expect(all.filter((f) => f.lines > 80).map((f) => `${f.name} (${f.lines} lines)`)).toEqual([]);
});
