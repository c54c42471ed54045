import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface TestOidcUser { email?: string; email_verified?: boolean; name?: string; preferred_username?: string; groups?: string[] }

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The account the next sign-in at the provider logs in as. */
  loginAs(accountId: string): Promise<void>;
  /** Sets the groups claim the account has at its later sign-ins. */
  setGroups(accountId: string, groups: string[]): Promise<void>;
  /** While on, the provider answers every sign-in with `error=access_denied`. */
  deny(on: boolean): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real OpenID Connect provider (npm oidc-provider) in a child process on a random port (or
 * `port`), with one confidential client for `redirectUri`. See oidc-provider-process.mjs.
 */
export async function startOidcProvider(opts: { redirectUri: string; users: Record<string, TestOidcUser>; port?: number }): Promise<TestOidcProvider> {
  const clientId = 'chatops-test';
  const clientSecret = 'chatops-test-secret-0123456789abcdef';
  const proc = spawn(process.execPath, [join(__dirname, 'oidc-provider-process.mjs')], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      OIDC_TEST_PORT: String(opts.port ?? 0),
      OIDC_TEST_CLIENT_ID: clientId,
      OIDC_TEST_CLIENT_SECRET: clientSecret,
      OIDC_TEST_REDIRECT_URI: opts.redirectUri,
      OIDC_TEST_USERS: JSON.stringify(opts.users),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  const issuer = await new Promise<string>((resolve, reject) => {
    let line = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      line += d;
      const nl = line.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(line.slice(0, nl)) as { issuer: string }).issuer);
    });
    proc.on('exit', (code) => reject(new Error(`the test OIDC provider exited (${code}):\n${out}`)));
  });
  const control = async (path: string) => {
    const res = await fetch(`${issuer}${path}`, { method: 'POST' });
    if (res.status !== 204) throw new Error(`provider control ${path}: ${res.status}`);
  };
  return {
    issuer,
    clientId,
    clientSecret,
    loginAs: (id) => control(`/test/login-as?user=${encodeURIComponent(id)}`),
    setGroups: (id, groups) => control(`/test/groups?user=${encodeURIComponent(id)}&groups=${encodeURIComponent(groups.join(','))}`),
    deny: (on) => control(`/test/deny?on=${on ? 1 : 0}`),
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
