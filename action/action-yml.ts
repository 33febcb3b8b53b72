import { stringify } from 'yaml';
import { INPUTS } from '../src/config/input-definitions.js';
import { OUTPUTS } from './output-definitions.js';

/** The action.yml text for the current input and output tables. */
export function actionYml(): string {
  const inputs: Record<string, { description: string; required: boolean; default?: string }> = {};
  for (const def of INPUTS.filter((d) => !d.cliOnly)) {
    const commands = def.commands ? ` [${def.commands.filter((c) => c !== 'decrypt' && c !== 'encrypt').join(', ')}]` : '';
    inputs[def.name] = {
      description: `${def.description}${commands}${def.secret ? ' Secret: pass it from secrets.*; it is masked.' : ''}`,
      required: false,
      ...(def.default !== undefined ? { default: def.default } : {}),
    };
  }
  const outputs = Object.fromEntries(OUTPUTS.map((o) => [o.name, { description: o.description }]));
  const doc = {
    name: 'Vault Backup',
    description: 'Encrypted, verified Vault and OpenBao backups to S3, Azure, Cloud Storage or a directory, with retention and restore tests.',
    author: 'vault-backup-action',
    branding: { icon: 'shield', color: 'blue' },
    inputs,
    outputs,
    runs: { using: 'node24', main: 'dist/index.js' },
  };
  return `# Generated from src/config/input-definitions.ts and action/output-definitions.ts by scripts/generate-action-yml.ts.\n${stringify(doc, { lineWidth: 0 })}`;
}
