/**
 * Writes action.yml from the input table (src/config/input-definitions.ts) and the output table
 * (action/output-definitions.ts). A test fails when action.yml and the tables differ.
 *   npx tsx scripts/generate-action-yml.ts
 */
import { writeFileSync } from 'node:fs';
import { actionYml } from '../action/action-yml.js';

writeFileSync('action.yml', actionYml());
console.log('action.yml written');
