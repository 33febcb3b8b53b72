/**
 * The GitHub Action: read inputs, run the engine, then tell the story (outputs, job summary) and
 * alert (incident issue, Slack). A failure to alert is logged and never hides the run's own failure.
 * Everything outside (the runner, GitHub's issues, Slack, the engine itself) comes in `ActionDeps`.
 */
import { BackupError } from '../src/errors.js';
import { presenterOf, runCommand } from '../src/commands/commands.js';
import { systemClock, type CommandResult } from '../src/commands/command.js';
import { findLastGoodBackup, describeTarget } from '../src/commands/last-good.js';
import { failureReport, successReport } from '../src/commands/report-of.js';
import type { RunReport } from '../src/notify/run-report.js';
import { postToSlack } from '../src/notify/slack.js';
import { inertReport } from '../src/notify/untrusted-text.js';
import { describeUnexpected, errorMessage } from '../src/util/error-text.js';
import { Masker, addOidcTokens, readActionInputs, readNotifySettings, runUrlFromEnv, type ActionInputs, type NotifySettings } from './action-inputs.js';
import { outputsOf } from './action-outputs.js';
import { ActionsLogger } from './actions-logger.js';
import { githubIssues } from './github-issues.js';
import { updateIncident, type IssueTracker } from './incidents.js';
import { summaryHtml } from './job-summary.js';
import { actionsRunner, type Runner } from './runner.js';
import { definitionOf } from '../src/config/input-definitions.js';

export interface ActionDeps {
  runner: Runner;
  runCommand: typeof runCommand;
  issues: (token: string, repository: string) => IssueTracker;
  postToSlack: typeof postToSlack;
  clock: () => Date;
}

export const realDeps: ActionDeps = { runner: actionsRunner, runCommand, issues: githubIssues, postToSlack, clock: systemClock };

export async function run(deps: ActionDeps = realDeps): Promise<void> {
  const { runner } = deps;
  const log = new ActionsLogger(runner);
  const masker = new Masker(runner);
  let inputs: ActionInputs | undefined;
  let report: RunReport;
  let result: CommandResult | undefined;
  try {
    inputs = readActionInputs(runner, masker);
    await addOidcTokens(inputs, runner, masker);
    result = await deps.runCommand(inputs.command, inputs.raw, { log, clock: deps.clock, env: runner.env });
    for (const line of presenterOf(result).logLines(result)) log.info(line);
    report = successReport(result, describeTarget(inputs.raw), inputs.runUrl);
    for (const [name, value] of Object.entries({ result: 'success', ...outputsOf(result) })) runner.setOutput(name, value);
  } catch (error) {
    const command = inputs?.command ?? (runner.getInput('command') || 'backup');
    const raw = inputs?.raw ?? { target: runner.getInput('target') };
    const lastGood = await findLastGoodBackup(raw, deps.clock(), log);
    report = failureReport(command, describeTarget(raw), error, inputs?.runUrl ?? runUrlFromEnv(runner.env), lastGood);
    runner.setOutput('result', 'failure');
    runner.setOutput('error', report.error!.message);
    runner.setFailed(error instanceof BackupError ? error.describe() : describeUnexpected(error));
  }
  // Whatever reaches an issue, the summary or Slack is masked like the log and rendered inert.
  await tell(deps, inertReport(report, masker.values()), result, inputs?.notify ?? notifyAfterBadInputs(runner, log), log);
}

async function tell(deps: ActionDeps, report: RunReport, result: CommandResult | undefined, notify: NotifySettings, log: ActionsLogger): Promise<void> {
  try {
    await deps.runner.appendSummary(summaryHtml(report, result));
  } catch (error) {
    log.warn(`could not write the job summary: ${errorMessage(error)}`);
  }
  const repository = deps.runner.env.GITHUB_REPOSITORY;
  let recovered = false;
  if (notify.githubToken && repository) {
    try {
      const action = await updateIncident(deps.issues(notify.githubToken, repository), notify.incidentLabel, report);
      if (action !== 'none') log.info(`incident issue ${action}`);
      recovered = action === 'closed';
    } catch (error) {
      log.warn(`could not update the incident issue (the run's own result stands): ${errorMessage(error)}`);
    }
  }
  // Failures always; a success when asked to, or when it ends an incident Slack heard about.
  if (notify.slackWebhookUrl && (!report.ok || notify.notifyOnSuccess || recovered)) {
    try {
      await deps.postToSlack(report, { webhookUrl: notify.slackWebhookUrl, recovered });
      log.info(recovered ? 'Slack told of the recovery' : 'Slack notified');
    } catch (error) {
      log.warn(`could not notify Slack (the run's own result stands): ${errorMessage(error)}`);
    }
  }
}

/** The inputs failed to read: alert with what can be read, so the failure is still reported. */
function notifyAfterBadInputs(runner: Runner, log: ActionsLogger): NotifySettings {
  try {
    return readNotifySettings(runner);
  } catch (error) {
    log.warn(`notification settings are not valid either (${errorMessage(error)}); alerting with the defaults`);
    return {
      githubToken: runner.getInput('github-token'),
      incidentLabel: definitionOf('incident-label')!.default!,
      slackWebhookUrl: runner.getInput('slack-webhook-url'),
      notifyOnSuccess: false,
    };
  }
}
