/**
 * action.yml and every workflow pass GitHub's own workflow parser, action.yml is in step with the
 * input/output tables, and every `with:` given to this action names a real input.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { parse } from 'yaml';
import { actionYml } from '../../action/action-yml.js';
import { INPUTS } from '../../src/config/input-definitions.js';
import { ROOT } from '../harness/processes.js';

const actionText = readFileSync(join(ROOT, 'action.yml'), 'utf8');
const action = parse(actionText) as { inputs: Record<string, { default?: string }>; runs: { using: string; main: string } };
const workflowDir = join(ROOT, '.github', 'workflows');
const workflows = readdirSync(workflowDir).filter((f) => f.endsWith('.yml'));

describe('action.yml', () => {
  it('is generated from the input and output tables (run: npx tsx scripts/generate-action-yml.ts)', () => {
    expect(actionText).toBe(actionYml());
  });

  it('passes the action parser, runs on node24 from dist/index.js', () => {
    const result = parseAction({ name: 'action.yml', content: actionText }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('lists every action input of the table, with its default', () => {
    for (const def of INPUTS.filter((d) => !d.cliOnly)) {
      expect(action.inputs[def.name]).toBeDefined();
      expect(action.inputs[def.name]!.default).toBe(def.default);
    }
  });
});

describe.each(workflows)('workflow %s', (file) => {
  const content = readFileSync(join(workflowDir, file), 'utf8');

  it('passes the workflow parser', async () => {
    const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    expect((template.errors ?? []).map((e) => e.Message)).toEqual([]);
  });

  it('gives this action only inputs it has, and keeps permissions minimal', () => {
    const doc = parse(content) as {
      permissions?: Record<string, string>;
      jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
    };
    for (const job of Object.values(doc.jobs)) {
      for (const step of job.steps) {
        if (step.uses !== './') continue;
        for (const name of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs)).toContain(name);
      }
    }
    const allowed = new Set(['contents:read', 'id-token:write', 'issues:write', 'actions:write']);
    for (const [scope, level] of Object.entries(doc.permissions ?? {})) expect(allowed.has(`${scope}:${level}`)).toBe(true);
  });
});

it('the backup workflow runs daily at 02:00 UTC and the restore test weekly', () => {
  const backup = parse(readFileSync(join(workflowDir, 'vault-backup.yml'), 'utf8')) as { on: { schedule: Array<{ cron: string }> } };
  expect(backup.on.schedule.map((s) => s.cron)).toContain('0 2 * * *');
  const restore = parse(readFileSync(join(workflowDir, 'vault-restore-test.yml'), 'utf8')) as { on: { schedule: Array<{ cron: string }> } };
  expect(restore.on.schedule[0]!.cron).toMatch(/^\d+ \d+ \* \* \d$/);
});

it('the parser does reject a broken workflow (so the checks above can fail)', () => {
  const broken = 'on: push\npermissions:\n  id-token: bogus\njobs:\n  x:\n    steps:\n      - uses: ./\n        with: [1, 2]\n';
  const parsed = parseWorkflow({ name: 'broken.yml', content: broken }, new NoOperationTraceWriter());
  expect(parsed.context.errors.getErrors().length).toBeGreaterThan(0);
});
