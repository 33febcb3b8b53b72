/**
 * The suite runs on the action's runtime: `npm test` puts the pinned Node.js 24 first on PATH itself,
 * even on a machine whose own Node is older (README: `npm ci && npm test`).
 */
import { describe, expect, it } from '@jest/globals';

describe('test runtime', () => {
  it('is Node.js 24 or later, as the action runs on node24', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });
});
