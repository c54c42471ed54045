import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultShell, describeConfig, parseConfig, parseDockerTarget, type AgentConfig } from './config';
import type { ExecIdentity } from './executors/exec-env';
import { AGENT_VERSION } from './version';

const KEY = 'cok_s3cr3t-Value-that-must-never-leak';
const run = (argv: string[], env: Record<string, string> = {}, root = false, identity?: ExecIdentity): AgentConfig => {
  const r = parseConfig(argv, env, root, identity ? () => identity : undefined);
  if (r.kind !== 'run') throw new Error(`expected run, got ${r.kind}`);
  return r.config;
};

describe('config', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'agent-cfg-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('requires a URL (no built-in default host) and an API key, with clear messages', () => {
    expect(() => run(['--api-key', KEY])).toThrow(new ConfigError('missing backend URL: pass --url <url> or set CHATOPS_URL'));
    expect(() => run(['--url', 'http://backend:3000'])).toThrow(/missing API key: pass --api-key-file/);
    expect(() => run(['--url', 'ftp://x', '--api-key', KEY])).toThrow(/scheme must be http, https, ws or wss/);
    expect(() => run(['--url', 'http://x/agents', '--api-key', KEY])).toThrow(/without a path/);
    expect(() => run(['--bogus'])).toThrow(ConfigError);
  });

  it('--url a,b,c: several backend instances, each validated, the first as `url`', () => {
    const c = run(['--url', 'http://a:3000/, https://b.example.com', '--api-key', KEY]);
    expect(c.urls).toEqual(['http://a:3000', 'https://b.example.com']);
    expect(c.url).toBe('http://a:3000');
    expect(run(['--url', 'http://a', '--api-key', KEY]).urls).toEqual(['http://a']);
    expect(() => run(['--url', 'http://a,ftp://b', '--api-key', KEY])).toThrow(/invalid --url "ftp:\/\/b"/);
  });

  it('defaults: 5 s interval, exec off, docker socket, host paths, buffer size, per-user state dir', () => {
    const c = run(['--url', 'http://backend:3000/', '--api-key', KEY], { HOME: '/home/alice' });
    expect(c).toMatchObject({
      url: 'http://backend:3000', apiKey: KEY, intervalSec: 5, enableExec: false, hostRoot: '/', hostProc: '/proc',
      docker: { kind: 'socket', socketPath: '/var/run/docker.sock' }, bufferSize: 1440, logLevel: 'info',
      stateDir: '/home/alice/.local/state/chatops-agent', once: false,
    });
    expect(run(['--url', 'http://b', '--api-key', KEY], { XDG_STATE_HOME: '/xdg' }).stateDir).toBe('/xdg/chatops-agent');
    expect(run(['--url', 'http://b', '--api-key', KEY], {}, true).stateDir).toBe('/var/lib/chatops-agent');
  });

  it('interval: minimum 1 s, numbers only', () => {
    expect(() => run(['--url', 'http://b', '--api-key', KEY, '--interval', '0.5'])).toThrow('invalid --interval 0.5: the minimum is 1');
    expect(() => run(['--url', 'http://b', '--api-key', KEY, '--interval', 'fast'])).toThrow(/expected a number/);
    expect(run(['--url', 'http://b', '--api-key', KEY, '--interval', '1']).intervalSec).toBe(1);
    expect(run([], { CHATOPS_URL: 'http://b', CHATOPS_API_KEY: KEY, CHATOPS_INTERVAL: '15' }).intervalSec).toBe(15);
  });

  it('reads the key from a file (first line, trimmed); unreadable or empty files are errors', () => {
    const f = join(dir, 'key');
    writeFileSync(f, `${KEY}\n`);
    expect(run(['--url', 'http://b', '--api-key-file', f]).apiKey).toBe(KEY);
    expect(run([], { CHATOPS_URL: 'http://b', CHATOPS_API_KEY_FILE: f }).apiKey).toBe(KEY);
    writeFileSync(f, '\n');
    expect(() => run(['--url', 'http://b', '--api-key-file', f])).toThrow(/is empty/);
    expect(() => run(['--url', 'http://b', '--api-key-file', join(dir, 'nope')])).toThrow(/cannot read --api-key-file .*ENOENT/);
    expect(() => run(['--url', 'http://b', '--api-key-file', f, '--api-key', KEY])).toThrow(/not both/);
  });

  it('flags win over environment; env switches parsed strictly', () => {
    const c = run(['--url', 'http://flag', '--enable-exec'], { CHATOPS_URL: 'http://env', CHATOPS_API_KEY: KEY });
    expect(c.url).toBe('http://flag');
    expect(c.enableExec).toBe(true);
    expect(run([], { CHATOPS_URL: 'http://b', CHATOPS_API_KEY: KEY, CHATOPS_ENABLE_EXEC: 'true' }).enableExec).toBe(true);
    expect(() => run([], { CHATOPS_URL: 'http://b', CHATOPS_API_KEY: KEY, CHATOPS_ENABLE_EXEC: 'maybe' })).toThrow(/CHATOPS_ENABLE_EXEC/);
  });

  it('sidecar paths: --host-root implies <root>/proc; DOCKER_HOST forms', () => {
    const c = run(['--url', 'http://b', '--api-key', KEY, '--host-root', '/host'], { DOCKER_HOST: 'unix:///run/podman/podman.sock' });
    expect(c.hostProc).toBe('/host/proc');
    expect(c.docker).toEqual({ kind: 'socket', socketPath: '/run/podman/podman.sock' });
    expect(parseDockerTarget('tcp://10.0.0.5:2376')).toEqual({ kind: 'tcp', host: '10.0.0.5', port: 2376, protocol: 'http' });
    expect(() => parseDockerTarget('ssh://x')).toThrow(ConfigError);
  });

  it('--once needs neither URL nor key; --json only with --once; --help/--version short-circuit', () => {
    expect(run(['--once', '--json'])).toMatchObject({ once: true, json: true, url: '', apiKey: '' });
    expect(() => run(['--json'])).toThrow(/only valid together with --once/);
    expect(parseConfig(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseConfig(['--version', '--url', 'x'], {})).toEqual({ kind: 'version' });
  });

  it('the printable config never contains the key', () => {
    const c = run(['--url', 'http://b', '--api-key', KEY]);
    const printed = JSON.stringify(describeConfig(c));
    expect(printed).not.toContain(KEY);
    expect(printed).not.toContain('s3cr3t');
    expect(describeConfig(c).apiKey).toBe('(set)');
  });

  it('an invalid value for --log-level or --buffer-size is rejected', () => {
    expect(() => run(['--url', 'http://b', '--api-key', KEY, '--log-level', 'loud'])).toThrow(/invalid --log-level "loud"/);
    expect(() => run(['--url', 'http://b', '--api-key', KEY, '--buffer-size', '5'])).toThrow('invalid --buffer-size 5: the minimum is 10');
  });

  describe('remote commands and the terminal', () => {
    const base = ['--url', 'http://b', '--api-key', KEY];

    it('defaults: everything off; the exec cwd is the user\'s home (or / when it is missing), 4 at once, terminal limits', () => {
      expect(run(base)).toMatchObject({
        enableExec: false, enableTerminal: false, execAllow: null, execConcurrency: 4, execCwd: '/', terminalShell: '',
        terminalMaxSessions: 4, terminalIdleTimeoutSec: 900,
      });
      expect(run([...base, '--enable-exec'], {}, false, { user: 'alice', home: dir, shell: null }).execCwd).toBe(dir);
      expect(run([...base, '--enable-exec'], {}, false, { user: 'alice', home: join(dir, 'gone'), shell: null }).execCwd).toBe('/');
    });

    it('--exec-cwd must be an existing absolute directory (checked at start)', () => {
      expect(run([...base, '--enable-exec', '--exec-cwd', dir]).execCwd).toBe(dir);
      expect(run(base, { CHATOPS_ENABLE_EXEC: '1', CHATOPS_EXEC_CWD: dir }).execCwd).toBe(dir);
      expect(() => run([...base, '--exec-cwd', 'srv'])).toThrow('invalid --exec-cwd "srv": give an absolute path');
      expect(() => run([...base, '--exec-cwd', join(dir, 'nope')])).toThrow(`invalid --exec-cwd ${join(dir, 'nope')}: ENOENT`);
      writeFileSync(join(dir, 'f'), '');
      expect(() => run([...base, '--exec-cwd', join(dir, 'f')])).toThrow(/not a directory/);
    });

    it('--exec-allow is loaded at start; a bad file stops the agent with one line naming the line number', () => {
      const f = join(dir, 'allow');
      writeFileSync(f, '# comment\ndf *\nsystemctl status ?*\n');
      const c = run([...base, '--enable-exec', '--exec-allow', f]);
      expect(c.execAllow?.file).toBe(f);
      expect(c.execAllow?.patterns.map((p) => p.source)).toEqual(['df *', 'systemctl status ?*']);
      expect(run(base, { CHATOPS_ENABLE_EXEC: 'true', CHATOPS_EXEC_ALLOW: f }).execAllow?.patterns).toHaveLength(2);
      writeFileSync(f, 'df *\n\nre:(\n');
      expect(() => run([...base, '--enable-exec', '--exec-allow', f])).toThrow(new ConfigError(
        `invalid --exec-allow ${f}: line 3: invalid regular expression: Invalid regular expression: /^(?:()$/u: Unterminated group`,
      ));
      expect(() => run([...base, '--exec-allow', join(dir, 'none')])).toThrow(`invalid --exec-allow ${join(dir, 'none')}: cannot read it: ENOENT`);
    });

    it('--enable-terminal needs --enable-exec and cannot be combined with --exec-allow (it would bypass it)', () => {
      expect(() => run([...base, '--enable-terminal'])).toThrow(/--enable-terminal needs --enable-exec: a terminal is remote shell access/);
      const f = join(dir, 'allow');
      writeFileSync(f, 'df *\n');
      expect(() => run([...base, '--enable-exec', '--enable-terminal', '--exec-allow', f])).toThrow(
        /--enable-terminal cannot be combined with --exec-allow: .*interactive shell runs whatever is typed/,
      );
      const c = run(base, { CHATOPS_ENABLE_EXEC: 'on', CHATOPS_ENABLE_TERMINAL: 'on', CHATOPS_TERMINAL_SHELL: '/bin/sh' });
      expect(c).toMatchObject({ enableExec: true, enableTerminal: true, terminalShell: '/bin/sh' });
      expect(() => run(base, { CHATOPS_ENABLE_TERMINAL: 'sometimes' })).toThrow(/CHATOPS_ENABLE_TERMINAL/);
    });

    it('terminal shell: --terminal-shell (absolute, executable), else the login shell, else /bin/bash, else /bin/sh', () => {
      const on = [...base, '--enable-exec', '--enable-terminal'];
      expect(run(on, {}, false, { user: 'a', home: '/', shell: '/bin/sh' }).terminalShell).toBe('/bin/sh');
      expect(run(on, {}, false, { user: 'a', home: '/', shell: '/usr/sbin/nologin' }).terminalShell).toBe('/bin/bash');
      expect(run(on, {}, false, { user: 'a', home: '/', shell: null }).terminalShell).toBe('/bin/bash');
      expect(defaultShell('/no/such/shell')).toBe('/bin/bash');
      expect(() => run([...on, '--terminal-shell', 'bash'])).toThrow('invalid --terminal-shell "bash": give an absolute path');
      expect(() => run([...on, '--terminal-shell', join(dir, 'sh')])).toThrow(/ENOENT/);
      const notExec = join(dir, 'script');
      writeFileSync(notExec, '#!/bin/sh\n');
      chmodSync(notExec, 0o644);
      expect(() => run([...on, '--terminal-shell', notExec])).toThrow(/EACCES/); // even for root: no x bit at all
      mkdirSync(join(dir, 'd'));
      expect(() => run([...on, '--terminal-shell', join(dir, 'd')])).toThrow(/not a file/);
    });

    it('bounds: --exec-concurrency 1..64, --terminal-max-sessions 1..64, --terminal-idle-timeout 10..86400', () => {
      expect(run([...base, '--exec-concurrency', '8']).execConcurrency).toBe(8);
      expect(() => run([...base, '--exec-concurrency', '0'])).toThrow('invalid --exec-concurrency 0: the minimum is 1');
      expect(() => run([...base, '--exec-concurrency', '2.5'])).toThrow(/expected an integer/);
      expect(() => run([...base, '--terminal-max-sessions', '65'])).toThrow('invalid --terminal-max-sessions 65: the maximum is 64');
      expect(run(base, { CHATOPS_TERMINAL_IDLE_TIMEOUT: '60' }).terminalIdleTimeoutSec).toBe(60);
      expect(() => run([...base, '--terminal-idle-timeout', '5'])).toThrow('invalid --terminal-idle-timeout 5: the minimum is 10');
    });

    it('the printable config names the allow-list file and its size', () => {
      const f = join(dir, 'allow');
      writeFileSync(f, 'df *\nuptime\n');
      const printed = describeConfig(run([...base, '--enable-exec', '--exec-allow', f, '--exec-cwd', dir]));
      expect(printed).toMatchObject({ enableExec: true, execAllow: `${f} (2 patterns)`, execCwd: dir, enableTerminal: false });
      expect(JSON.stringify(printed)).not.toContain(KEY);
    });
  });

  it('Docker: all operations and redacted env by default; --docker-read-only and --docker-show-env, or their env vars', () => {
    const base = ['--url', 'http://b', '--api-key', KEY];
    expect(run(base)).toMatchObject({ dockerReadOnly: false, dockerShowEnv: false });
    expect(run([...base, '--docker-read-only', '--docker-show-env'])).toMatchObject({ dockerReadOnly: true, dockerShowEnv: true });
    expect(run(base, { CHATOPS_DOCKER_READ_ONLY: 'yes', CHATOPS_DOCKER_SHOW_ENV: '1' })).toMatchObject({ dockerReadOnly: true, dockerShowEnv: true });
    expect(() => run(base, { CHATOPS_DOCKER_READ_ONLY: 'maybe' })).toThrow('invalid CHATOPS_DOCKER_READ_ONLY "maybe": expected true or false');
    expect(describeConfig(run([...base, '--docker-read-only']))).toMatchObject({ dockerReadOnly: true, dockerShowEnv: false });
  });

  it('AGENT_VERSION matches the root package.json', () => {
    expect(AGENT_VERSION).toBe(JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).version);
  });
});
