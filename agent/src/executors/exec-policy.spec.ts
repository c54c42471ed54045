import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../log';
import { AllowListError, ExecPolicy, loadAllowList } from './exec-policy';

describe('ExecPolicy (--exec-allow)', () => {
  let dir: string;
  let file: string;
  let logs: Array<Record<string, unknown>>;
  const logger = () => createLogger({ level: 'debug', json: true, write: (l) => logs.push(JSON.parse(l)) });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-allow-'));
    file = join(dir, 'exec-allow');
    logs = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('without a file every command is allowed', () => {
    expect(new ExecPolicy(null, logger()).check('reboot')).toEqual({ ok: true });
  });

  it('allows what a pattern matches; wildcards never span shell control characters', () => {
    writeFileSync(file, '# disk and services\ndf *\n\nsystemctl status ?*\nre:uptime( -p)?\n');
    const policy = new ExecPolicy(loadAllowList(file), logger());
    expect(policy.size).toBe(3);
    for (const ok of ['df -h', '  df -h /  ', 'systemctl status nginx', 'uptime', 'uptime -p']) expect(policy.check(ok)).toEqual({ ok: true });
    for (const refused of ['df -h; reboot', 'df $(reboot)', 'df -h && reboot', 'df -h | sh', 'df `id`', 'reboot', 'uptime -s']) {
      const d = policy.check(refused);
      expect(d.ok).toBe(false);
      if (!d.ok) expect(d.message).toContain(file);
    }
  });

  it('an invalid file is an error naming the line; an unreadable one names the errno', () => {
    writeFileSync(file, 'df *\n# ok\nre:(unclosed\n');
    expect(() => loadAllowList(file)).toThrow(AllowListError);
    expect(() => loadAllowList(file)).toThrow(/^line 3: invalid regular expression/);
    expect(() => loadAllowList(join(dir, 'missing'))).toThrow('cannot read it: ENOENT');
  });

  it('an empty file refuses everything, and says so', () => {
    writeFileSync(file, '# nothing yet\n');
    const d = new ExecPolicy(loadAllowList(file), logger()).check('df -h');
    expect(d).toEqual({ ok: false, message: expect.stringContaining('is empty') });
  });

  it('reload: picks up a valid new file (logs the count), keeps the old list when the new one is invalid', () => {
    writeFileSync(file, 'df *\n');
    const policy = new ExecPolicy(loadAllowList(file), logger());
    writeFileSync(file, 'df *\nuptime\n');
    policy.reload();
    expect(policy.check('uptime')).toEqual({ ok: true });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'info', msg: 'exec allow-list reloaded', patterns: 2 }));

    writeFileSync(file, 'free\nre:[\n');
    policy.reload();
    expect(policy.size).toBe(2);
    expect(policy.check('uptime')).toEqual({ ok: true });
    expect(policy.check('free').ok).toBe(false);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', error: expect.stringMatching(/^line 2: /), patterns: 2 }));
  });
});
