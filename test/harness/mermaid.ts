/** Mermaid's own parser, run in a child process (it expects a browser-like global environment). */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../tools/mermaid-parse.mjs', import.meta.url));

export function parseMermaid(charts: string[]): Array<{ ok: true; type: string } | { ok: false; error: string }> {
  return JSON.parse(execFileSync(process.execPath, [script], { input: JSON.stringify(charts), encoding: 'utf8' }));
}

/** The ```mermaid blocks of a Markdown/HTML text. */
export function mermaidBlocks(text: string): string[] {
  return [...text.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);
}
