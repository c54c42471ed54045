import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parentPid } from './maintenance-priority';

describe('parentPid', () => {
  it('reads the parent of a process from /proc, also through a command name with spaces and parentheses', async () => {
    expect(parentPid(process.pid)).toBe(process.ppid);
    // The child names itself "a) b (c" (/proc/<pid>/comm): the parser must take the last parenthesis.
    const child = spawn('bash', ['-c', 'printf "a) b (c" > /proc/$$/comm; read -t 30 _'], { stdio: 'pipe' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(readFileSync(`/proc/${child.pid}/stat`, 'utf8')).toContain('(a) b (c)');
      expect(parentPid(child.pid!)).toBe(process.pid);
    } finally {
      child.kill();
    }
  });

  it('is null for a process that does not exist', () => {
    expect(parentPid(2 ** 22 + 1)).toBeNull();
  });
});
