import { expect, it } from '@jest/globals';
import { unsupportedNode } from '../../src/cli/node-version.js';

it.each([
  ['v24.0.0', false],
  ['v24.22.3', false],
  ['v25.1.0', false],
  ['v22.12.0', true],
  ['v20.20.2', true],
  ['nonsense', true],
])('Node.js %s unsupported: %s', (version, refused) => {
  const why = unsupportedNode(version);
  if (refused) expect(why).toMatch(new RegExp(`needs Node\\.js 24 or later .*this is Node\\.js ${version}`));
  else expect(why).toBeUndefined();
});
