import { waitFor } from '../../test/fake-backend';
import { isRunning } from './process-tree';
import { loadPty } from './pty-loader';
import { PtySession, type TerminalEndReason } from './pty-session';

describe('PtySession flow control', () => {
  it('pauses the PTY while the connection backs up (a shell running `yes` on a slow link), resumes when it drains', async () => {
    const pty = loadPty().spawn('/bin/sh', ['-c', 'yes'], { name: 'xterm-256color', cols: 80, rows: 24, cwd: '/', env: { PATH: '/usr/bin:/bin' } });
    let backlog = 0;
    let frames = 0;
    const ends: Array<{ exitCode: number | null; reason: TerminalEndReason }> = [];
    const session = new PtySession({
      sessionId: 's1', pty, idleTimeoutMs: 60_000, killGraceMs: 500, outputIntervalMs: 5, outputMaxChars: 16 * 1024,
      output: () => frames++, onEnd: (e) => ends.push(e), backlog: () => backlog, highWaterBytes: 1024 * 1024, lowWaterBytes: 256 * 1024,
    });
    await waitFor(() => frames > 3, 3000, 'output flowing');
    backlog = 10 * 1024 * 1024; // the socket stops taking data
    const stalled = async () => {
      const before = session.charsOut;
      await new Promise((r) => setTimeout(r, 150));
      return session.charsOut === before;
    };
    // within a few frames the PTY is paused: then nothing more is read
    let paused = false;
    for (let i = 0; i < 20 && !paused; i++) paused = await stalled();
    expect(paused).toBe(true);
    expect(await stalled()).toBe(true);
    const atPause = session.charsOut;
    backlog = 0; // drained
    await waitFor(() => session.charsOut > atPause + 64 * 1024, 3000, 'output resumed');
    await session.close('closed');
    expect(ends).toEqual([{ exitCode: null, reason: 'closed' }]);
    expect(isRunning(session.pid)).toBe(false);
  });
});
