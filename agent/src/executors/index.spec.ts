import { ExecHarness } from '../../test/exec-harness';
import type { CommandExecutor } from './command-executor';

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
});
