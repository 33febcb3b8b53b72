/** The CLI runs on the action's runtime, Node.js 24, and says so clearly on an older one. */
export const MINIMUM_NODE_MAJOR = 24;

/** Why this Node.js version cannot run the CLI, or undefined when it can. */
export function unsupportedNode(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? NaN);
  if (Number.isInteger(major) && major >= MINIMUM_NODE_MAJOR) return undefined;
  return `vault-backup needs Node.js ${MINIMUM_NODE_MAJOR} or later (the runtime of the action); this is Node.js ${version}. Install Node.js ${MINIMUM_NODE_MAJOR} (e.g. actions/setup-node with node-version: 24) and run it again.`;
}
