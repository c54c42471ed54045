import { metricsSampleSchema, type MetricsSample } from '@chatops/protocol';
import { makeSample } from '../../../test/support/agent-client';
import { compileFrameValidator } from './frame-validator';

/**
 * The compiled validator must say exactly what zod says, for every frame: it replaces zod's
 * safeParse on the ingest path. Verdicts are compared over a valid sample, every leaf of it
 * replaced by hostile values, every key removed, unknown keys added, and bounds probed.
 */
describe('compileFrameValidator (metrics sample)', () => {
  const check = compileFrameValidator(metricsSampleSchema);

  const sample = (): Record<string, unknown> => makeSample(42, 'b6f1c0de-boot', {
    timestamp: '2026-11-27T10:00:00.123Z',
    containers: [{ id: 'abc', name: 'web', image: 'nginx', state: 'running', status: 'Up 2 hours', cpuPercent: 1.5, memBytes: 1e7, memLimitBytes: 1e9 }],
    processes: [{ pid: 1, name: 'init', user: 'root', cpuPercent: 0.1, memBytes: 1e6 }],
  });

  /** Every path to a leaf or a container, e.g. ['cpu', 'load', 1]. */
  const paths = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
    const out: (string | number)[][] = prefix.length ? [prefix] : [];
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, Array.isArray(value) ? Number(k) : k]));
    }
    return out;
  };
  const withValue = (path: (string | number)[], value: unknown, remove = false) => {
    const s = sample();
    let node = s as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (remove) {
      if (Array.isArray(node)) node.splice(Number(last), 1);
      else delete node[last];
    } else node[last] = value;
    return s;
  };
  const HOSTILE = [
    null, undefined, true, 'text', '', '12', -1, -0.5, 0, 1.5, 100.0001, 4097, 2 ** 31 + 1, 2 ** 61, 1e308,
    Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2, [], [1, 2, 3], {}, { a: 1 },
    'x'.repeat(257), '😀'.repeat(65), '😀'.repeat(100), '2026-11-27T10:00:00', '2026-02-30T10:00:00Z',
    '2026-11-27T10:00:00+01:00', '2026-11-27 10:00:00Z', new Date(0), Buffer.from('x'),
    // text PostgreSQL cannot store, or that is not Unicode: refused by both
    '\u0000', '/mnt/a\u0000b', '\uD800', 'x\uDC00', '\uDBFF\uDBFF', '\uDE00\uD83D',
    // well-formed text around them: accepted by both (a pair is one code point)
    '\uD83D\uDE00', 'ü/\u00A0/\uFFFD/\u0001',
  ];

  const verdicts = (frame: Record<string, unknown>) => {
    const zodFrame = structuredClone(frame);
    const zod = metricsSampleSchema.safeParse(zodFrame);
    const compiled = check(frame);
    return { zod, compiled };
  };

  it('accepts a valid sample as zod does and strips unknown keys in place', () => {
    const frame = { ...sample(), extra: 'dropped', cpu: { ...(sample().cpu as object), vendor: 'x' } };
    const { zod, compiled } = verdicts(frame);
    expect(zod.success).toBe(true);
    expect(compiled).toEqual({ ok: true, value: zod.data });
    expect(frame).not.toHaveProperty('extra');
    expect(frame.cpu).not.toHaveProperty('vendor');
    expect(compiled.ok && compiled.value).toBe(frame); // no copy
  });

  it('gives zod’s verdict for every leaf replaced by every hostile value', () => {
    let compared = 0;
    const disagreements: string[] = [];
    for (const path of paths(sample())) {
      for (const value of HOSTILE) {
        const { zod, compiled } = verdicts(withValue(path, value));
        compared++;
        if (zod.success !== compiled.ok) disagreements.push(`${path.join('.')} = ${String(value).slice(0, 20)}: zod ${zod.success}, compiled ${compiled.ok}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(1500);
  });

  it('gives zod’s verdict for every key or element removed', () => {
    for (const path of paths(sample())) {
      const { zod, compiled } = verdicts(withValue(path, undefined, true));
      expect([path.join('.'), compiled.ok]).toEqual([path.join('.'), zod.success]);
    }
  });

  it('refuses what zod refuses with zod’s own message, and probes the array bounds', () => {
    const tooMany = { ...sample(), processes: Array.from({ length: 101 }, (_, pid) => ({ pid, name: 'p', user: 'u', cpuPercent: 0, memBytes: 0 })) };
    const justEnough = { ...sample(), processes: tooMany.processes.slice(0, 100) };
    const fourLoads = withValue(['cpu', 'load'], [1, 2, 3, 4]);
    for (const frame of [tooMany, justEnough, fourLoads, withValue(['cpu', 'perCore'], new Array(4097).fill(1)), 'not an object', null, [], 7]) {
      const { zod, compiled } = verdicts(frame as Record<string, unknown>);
      expect(compiled.ok).toBe(zod.success);
      if (!zod.success && !compiled.ok) expect(compiled.error).toMatch(/: /);
    }
    const refused = check(withValue(['seq'], -1));
    expect(refused).toEqual({ ok: false, error: expect.stringContaining('seq') });
  });

  it('refuses NUL characters and lone surrogates in every string field, as zod does', () => {
    const strings = paths(sample()).filter((p) => typeof p.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], sample()) === 'string');
    expect(strings.length).toBeGreaterThan(10);
    for (const path of strings.filter((p) => p[p.length - 1] !== 'timestamp')) {
      for (const bad of ['a\u0000', '\uD83D', 'x\uDE00y']) {
        const { zod, compiled } = verdicts(withValue(path, bad));
        expect([path.join('.'), zod.success, compiled.ok]).toEqual([path.join('.'), false, false]);
      }
    }
  });

  it('accepts the samples the real agent and the tests build', () => {
    const s: MetricsSample = sample() as MetricsSample;
    delete (s as Partial<MetricsSample>).containers;
    delete (s as Partial<MetricsSample>).processes;
    delete (s as Partial<MetricsSample>).diskIo;
    expect(check(s).ok).toBe(true);
  });
});
