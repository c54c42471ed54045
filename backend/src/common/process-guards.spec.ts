import { EventEmitter } from 'node:events';
import { installProcessGuards } from './process-guards';

describe('installProcessGuards', () => {
  afterEach(() => jest.useRealTimers());

  it('logs unhandled rejections and uncaught exceptions with their kind and keeps going', () => {
    const target = new EventEmitter();
    const lines: unknown[][] = [];
    const { counts } = installProcessGuards({ error: (...args: unknown[]) => void lines.push(args) }, target);
    const err = new Error('adapter callback failed');
    target.emit('unhandledRejection', err, Promise.resolve());
    target.emit('uncaughtException', new TypeError('Converting circular structure to JSON'), 'uncaughtException');
    expect(counts).toEqual({ rejections: 1, exceptions: 1 });
    expect(lines).toEqual([
      [{ err, kind: 'unhandledRejection' }, 'Unhandled promise rejection (logged; the process keeps running)'],
      [{ err: expect.any(TypeError), kind: 'uncaughtException', origin: 'uncaughtException' }, 'Uncaught exception (logged; the process keeps running)'],
    ]);
  });

  it('summarises a storm: 20 errors a minute with their stack, then one line counting the rest', () => {
    jest.useFakeTimers({ now: 0 });
    const target = new EventEmitter();
    const lines: unknown[][] = [];
    installProcessGuards({ error: (...args: unknown[]) => void lines.push(args) }, target);
    for (let i = 0; i < 500; i++) target.emit('unhandledRejection', new Error(`e${i}`));
    expect(lines).toHaveLength(20);
    jest.setSystemTime(60_000);
    target.emit('unhandledRejection', new Error('next minute'));
    expect(lines.slice(20)).toEqual([
      [{ suppressed: 480 }, '480 more escaped errors in the last minute were not logged'],
      [expect.objectContaining({ kind: 'unhandledRejection' }), 'Unhandled promise rejection (logged; the process keeps running)'],
    ]);
  });
});
