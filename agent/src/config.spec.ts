import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, parseConfig, parseDockerTarget, type AgentConfig } from './config';
import { AGENT_VERSION } from './version';

const KEY = 'cok_s3cr3t-Value-that-must-never-leak';
const run = (argv: string[], env: Record<string, string> = {}, root = false): AgentConfig => {
  const r = parseConfig(argv, env, root);
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

  it('AGENT_VERSION matches the root package.json', () => {
    expect(AGENT_VERSION).toBe(JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).version);
  });
});
