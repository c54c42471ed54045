import type { CommandRecord } from '@chatops/protocol';
import { CommandLiveRouter, MAX_PENDING_CHARS, MAX_PENDING_COMMANDS, PENDING_TTL_MS } from './command-live-router';
import { CommandRun } from './command-run';

function record(commandId: string, partial: Partial<CommandRecord> = {}): CommandRecord {
  return {
    commandId, command: 'echo hi', status: 'completed', exitCode: 0, output: 'hi\n', stderr: '', durationMs: 12, truncated: false,
    serverId: 's1', userId: 'u1', error: null, timedOut: false, ip: null, createdAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z',
    ...partial,
  };
}
const text = (run: CommandRun) => run.view().chunks.map((c) => `${c.stream}:${c.html.html}`).join('|');

describe('CommandLiveRouter', () => {
  it('replays output and the end that arrived before the 202 named the command', () => {
    const router = new CommandLiveRouter();
    const run = new CommandRun(1, 'echo hi', null);
    router.output('c1', 'stdout', 'h');
    router.output('c1', 'stdout', 'i\n');
    router.finished(record('c1'));
    router.attach(run, 'c1');
    expect(text(run)).toBe('stdout:hi\n');
    expect(run.state()).toBe('completed');
    expect(run.view().exitCode).toBe(0);
    expect(router.pendingCount).toBe(0);
  });

  it('follows a run once attached, and ignores other commands', () => {
    const router = new CommandLiveRouter();
    const run = new CommandRun(1, 'make', null);
    router.attach(run, 'c1');
    expect(run.state()).toBe('running');
    router.output('c1', 'stdout', 'building\n');
    router.output('c2', 'stdout', 'someone else');
    router.output('c1', 'stderr', 'warning\n');
    expect(text(run)).toBe('stdout:building\n|stderr:warning\n');
    router.finished(record('c1', { status: 'failed', exitCode: 2, output: 'building\n', stderr: 'warning\n' }));
    expect(run.state()).toBe('failed');
    router.output('c1', 'stdout', 'late');
    expect(text(run)).toBe('stdout:building\n|stderr:warning\n');
  });

  it('shows the recorded output when chunks were missed (the socket dropped meanwhile)', () => {
    const router = new CommandLiveRouter();
    const run = new CommandRun(1, 'seq 3', null);
    router.attach(run, 'c1');
    router.output('c1', 'stdout', '1\n');
    router.finished(record('c1', { output: '1\n2\n3\n', stderr: 'oops' }));
    expect(text(run)).toBe('stdout:1\n2\n3\n|stderr:oops');
  });

  it('keeps what it buffers for unclaimed commands bounded in number, size and age', () => {
    let now = 0;
    const router = new CommandLiveRouter(() => now);
    for (let i = 0; i < MAX_PENDING_COMMANDS + 5; i++) router.output(`x${i}`, 'stdout', 'data');
    expect(router.pendingCount).toBe(MAX_PENDING_COMMANDS);
    router.output('big', 'stdout', 'a'.repeat(MAX_PENDING_CHARS));
    router.output('big', 'stdout', 'more');
    const run = new CommandRun(1, 'cat big', null);
    router.attach(run, 'big');
    expect(run.view().chunks[0].html.html).toHaveLength(MAX_PENDING_CHARS);
    now += PENDING_TTL_MS + 1;
    router.output('fresh', 'stdout', 'x');
    expect(router.pendingCount).toBe(1);
  });
});
