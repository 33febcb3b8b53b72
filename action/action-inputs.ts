/**
 * Reads the action's inputs into the engine's raw inputs (same names as the CLI flags), masks every
 * secret, and fetches the GitHub OIDC token that Vault's JWT auth takes.
 */
import { InputError } from '../src/errors.js';
import { ACTION_COMMANDS } from '../src/commands/commands.js';
import { INPUTS, inputsFor, type CommandName } from '../src/config/input-definitions.js';
import { azureAuthKind, Inputs, restoredLoginKind, vaultAuthMethod, type RawInputs } from '../src/config/settings.js';
import { errorMessage } from '../src/util/error-text.js';
import type { Runner } from './runner.js';
import { secretParts } from '../src/notify/untrusted-text.js';

export interface ActionInputs {
  command: CommandName;
  raw: RawInputs;
  notify: NotifySettings;
  runUrl: string | undefined;
}

export interface NotifySettings {
  githubToken: string;
  incidentLabel: string;
  slackWebhookUrl: string;
  notifyOnSuccess: boolean;
}

/** Masks secrets in the runner's log and remembers them, so issues and Slack messages are masked the same way. */
export class Masker {
  private readonly masked: string[] = [];
  constructor(private readonly runner: Runner) {}

  values(): readonly string[] {
    return this.masked;
  }

  /** Masks a secret and each of its lines and key parts: the runner matches masks line by line. */
  mask(value: string): void {
    for (const part of secretParts(value)) {
      this.masked.push(part);
      this.runner.setSecret(part);
    }
  }

  /** Secrets are masked before anything else can fail, so no error message can print one. */
  maskAllSecretInputs(): void {
    for (const def of INPUTS) if (def.secret) this.mask(this.runner.getInput(def.name));
  }
}

export function runUrlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT } = env;
  if (!GITHUB_SERVER_URL || !GITHUB_REPOSITORY || !GITHUB_RUN_ID) return undefined;
  return `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}${GITHUB_RUN_ATTEMPT && GITHUB_RUN_ATTEMPT !== '1' ? `/attempts/${GITHUB_RUN_ATTEMPT}` : ''}`;
}

export function readActionInputs(runner: Runner, masker: Masker): ActionInputs {
  masker.maskAllSecretInputs();
  const name = (runner.getInput('command') || 'backup').trim().toLowerCase();
  const command = ACTION_COMMANDS.find((c) => c === name);
  if (!command) throw new InputError('command', `unknown command ${JSON.stringify(name)}`, `use one of: ${ACTION_COMMANDS.join(', ')}`);
  const raw: RawInputs = {};
  for (const def of inputsFor(command, 'action')) {
    const value = runner.getInput(def.name, { trimWhitespace: !def.secret });
    if (value !== '') raw[def.name] = value;
    else if (def.ambientEnv && runner.env[def.ambientEnv]) raw[def.name] = runner.env[def.ambientEnv];
  }
  const runUrl = runUrlFromEnv(runner.env);
  if (runUrl && command === 'backup') raw['run-url'] = runUrl;
  return { command, raw, runUrl, notify: readNotifySettings(runner) };
}

/** Where alerts go; read on their own so a failure to read the command's inputs is still reported. */
export function readNotifySettings(runner: Runner): NotifySettings {
  const notify = new Inputs({ 'incident-label': runner.getInput('incident-label'), 'notify-on-success': runner.getInput('notify-on-success') });
  return {
    githubToken: runner.getInput('github-token'),
    incidentLabel: notify.required('incident-label'),
    slackWebhookUrl: runner.getInput('slack-webhook-url'),
    notifyOnSuccess: notify.boolean('notify-on-success'),
  };
}

/** Entra ID's audience for tokens exchanged through workload identity federation. */
export const AZURE_OIDC_AUDIENCE = 'api://AzureADTokenExchange';

/** GitHub OIDC tokens: Vault's JWT auth, and Azure's workload identity federation for az:// targets. */
export async function addOidcTokens(inputs: ActionInputs, runner: Runner, masker: Masker): Promise<void> {
  await addVaultJwt(inputs, runner, masker);
  const targets = [inputs.raw.target, inputs.raw['replica-target']].filter((t): t is string => Boolean(t));
  const federated = targets.some((t) => t.startsWith('az://')) && azureAuthKind(new Inputs(inputs.raw)) === 'federated';
  if (!federated) return;
  inputs.raw['azure-federated-token'] = await maskedIdToken(runner, masker, AZURE_OIDC_AUDIENCE, {
    input: 'azure-client-id',
    what: 'needs a GitHub OIDC token',
    hint: 'grant the job `permissions: id-token: write`, or use azure-connection-string / azure-sas-token',
  });
}

/** A GitHub OIDC token for `audience`, masked before anything can print it; a failure names the setting that needed it. */
async function maskedIdToken(runner: Runner, masker: Masker, audience: string, failure: { input: string; what: string; hint: string }): Promise<string> {
  let token: string;
  try {
    token = await runner.getIDToken(audience);
  } catch (error) {
    throw new InputError(failure.input, `${failure.what}, and getting one failed: ${errorMessage(error)}`, failure.hint);
  }
  masker.mask(token);
  return token;
}

/** Vault's JWT auth takes a GitHub OIDC token; the job needs `permissions: id-token: write`. */
async function addVaultJwt(inputs: ActionInputs, runner: Runner, masker: Masker): Promise<void> {
  // A restore needs a Vault login only to read the restored data with the source's auth (restored-login: source-auth);
  // recover to write into a live cluster, diff to read the live one.
  const settings = new Inputs(inputs.raw);
  const restoreLogsIn = ['restore-test', 'restore', 'recover', 'diff'].includes(inputs.command) && restoredLoginKind(settings) === 'source-auth';
  const liveLogsIn =
    (inputs.command === 'recover' && settings.optional('recover-into') !== undefined) ||
    (inputs.command === 'diff' && [settings.optional('diff-from'), settings.optional('diff-to')].includes('live'));
  if ((inputs.command !== 'backup' && !restoreLogsIn && !liveLogsIn) || vaultAuthMethod(settings) !== 'jwt') return;
  const owner = runner.env.GITHUB_REPOSITORY_OWNER;
  const audience = inputs.raw['vault-jwt-audience'] ?? (owner ? `https://github.com/${owner}` : undefined);
  if (!audience)
    throw new InputError(
      'vault-jwt-audience',
      'is required here: GITHUB_REPOSITORY_OWNER is not set, so the default https://github.com/OWNER cannot be formed',
      "set vault-jwt-audience to a value in the Vault role's bound_audiences",
    );
  inputs.raw['vault-jwt'] = await maskedIdToken(runner, masker, audience, {
    input: 'vault-auth-method',
    what: 'jwt needs a GitHub OIDC token',
    hint: 'grant the job `permissions: id-token: write`, or use vault-auth-method token/approle',
  });
}
