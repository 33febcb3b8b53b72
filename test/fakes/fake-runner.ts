/** A recording Actions runner for in-process tests of the action front: inputs in, everything it was told out. */
import type { Runner } from '../../action/runner.js';

export class FakeRunner implements Runner {
  readonly outputs: Record<string, string> = {};
  readonly secrets: string[] = [];
  readonly log: string[] = [];
  readonly audiences: string[] = [];
  failed: string | undefined;
  summary = '';
  idToken: string | Error = 'eyJ.fake-oidc-token-0123456789.sig';

  constructor(
    private readonly inputs: Record<string, string>,
    readonly env: NodeJS.ProcessEnv = {
      GITHUB_REPOSITORY: 'acme/platform',
      GITHUB_REPOSITORY_OWNER: 'acme',
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_RUN_ID: '42',
    },
  ) {}

  getInput(name: string, options?: { trimWhitespace?: boolean }): string {
    const value = this.inputs[name] ?? '';
    return options?.trimWhitespace === false ? value : value.trim();
  }
  setSecret(value: string): void {
    this.secrets.push(value);
  }
  async getIDToken(audience: string): Promise<string> {
    this.audiences.push(audience);
    if (this.idToken instanceof Error) throw this.idToken;
    return this.idToken;
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
  }
  setFailed(message: string): void {
    this.failed = message;
    this.log.push(`::error::${message}`);
  }
  info(message: string): void {
    this.log.push(message);
  }
  warning(message: string): void {
    this.log.push(`::warning::${message}`);
  }
  error(message: string): void {
    this.log.push(`::error::${message}`);
  }
  async group<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.log.push(`::group::${name}`);
    try {
      return await work();
    } finally {
      this.log.push('::endgroup::');
    }
  }
  async appendSummary(html: string): Promise<void> {
    this.summary += html;
  }
  /** Everything a reader of the run could see. */
  visible(): string {
    return [...this.log, this.summary, ...Object.values(this.outputs)].join('\n');
  }
}

/** Issues in memory, as the IssueTracker sees them. */
export class FakeIssues {
  readonly issues: Array<{ number: number; title: string; body: string; label: string; state: 'open' | 'closed'; comments: string[] }> = [];
  fail: Error | undefined;
  tracker() {
    const check = () => {
      if (this.fail) throw this.fail;
    };
    return {
      openIssues: async (label: string) => (
        check(),
        this.issues.filter((i) => i.state === 'open' && i.label === label).map((i) => ({ number: i.number, body: i.body }))
      ),
      open: async (title: string, body: string, label: string) =>
        void (check(), this.issues.push({ number: this.issues.length + 1, title, body, label, state: 'open', comments: [] })),
      comment: async (n: number, body: string) => void (check(), this.issues.find((i) => i.number === n)!.comments.push(body)),
      close: async (n: number) => void (check(), (this.issues.find((i) => i.number === n)!.state = 'closed')),
    };
  }
}
