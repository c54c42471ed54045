import { ExecHarness } from '../../test/exec-harness';
import type { DockerLogsChunk } from '@chatops/protocol';
import { waitFor } from '../../test/fake-backend';
import type { CommandExecutor } from './command-executor';
import type { DockerExecutor, DockerOwner } from './docker-executor';

describe('request handlers', () => {
  let h: ExecHarness;
  beforeEach(async () => {
    h = new ExecHarness();
    await h.start();
  });
  afterEach(() => h.stop());

  it('a failing handler is logged and the request refused; the agent keeps its connection', async () => {
    const broken = { handle: () => { throw new Error('boom'); }, detach: () => undefined } as unknown as CommandExecutor;
    const s = await h.connect({ commands: broken, terminals: null });
    await expect(s.timeout(2000).emitWithAck('command', { commandId: 'c1', command: 'true', timeoutSec: 5 }))
      .resolves.toEqual({ ok: false, error: 'internal', message: 'the agent failed to handle this request' });
    expect(h.logs).toContainEqual(expect.objectContaining({ level: 'error', msg: 'request handler failed', event: 'command', error: 'boom' }));
    expect(h.connection?.status).toBe('ready');
    await expect(s.timeout(2000).emitWithAck('docker', { requestId: 'r1', action: 'list' })).resolves.toEqual({ ok: false, error: 'disabled' });
  });

  it('docker: requests reach the executor with their ack, docker_logs_stop too; its streams go out on the socket and end with it', async () => {
    let owner: DockerOwner | null = null;
    const calls: string[] = [];
    const docker = {
      attach: (o: DockerOwner) => (owner = o),
      detach: (o: DockerOwner) => calls.push(o === owner ? 'detach' : 'detach-other'),
      handle: (o: DockerOwner, req: { action: string }, ack: (r: unknown) => void) => ack({ ok: true, data: [], echo: req.action, same: o === owner }),
      stopStream: (o: DockerOwner, frame: { streamId: string }) => calls.push(`stop ${frame.streamId} ${o === owner}`),
    } as unknown as DockerExecutor;
    const s = await h.connect({ commands: null, terminals: null, docker });
    const chunks: DockerLogsChunk[] = [];
    s.on('container_logs', (c) => chunks.push(c));
    await expect(s.timeout(2000).emitWithAck('docker', { requestId: 'r1', action: 'list' })).resolves.toEqual({ ok: true, data: [], echo: 'list', same: true });
    s.emit('docker_logs_stop', { streamId: 'abc' });
    await waitFor(() => calls.includes('stop abc true'), 2000, 'docker_logs_stop');
    expect(owner!.logs({ streamId: 'abc', containerId: 'web', lines: [{ stream: 'stdout', text: 'hi' }] })).toBe(true);
    await waitFor(() => chunks.length === 1, 2000, 'container_logs');
    await h.connection!.stop();
    expect(calls).toContain('detach');
  });
});
