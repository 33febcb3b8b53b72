// Parses Mermaid charts with Mermaid's own parser (it needs a DOM, so jsdom provides one).
// Input on stdin: a JSON array of chart texts. Output: a JSON array of {ok, type} or {ok: false, error}.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const chart of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(chart);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error).slice(0, 300) });
  }
}
process.stdout.write(JSON.stringify(results));
