import { TestBed } from '@angular/core/testing';
import { DEFAULT_THRESHOLDS, THRESHOLDS_KEY, ThresholdsService, levelOf, sanitizeThresholds } from './thresholds';

describe('thresholds', () => {
  afterEach(() => localStorage.clear());

  it('puts a value at or above a threshold in its level', () => {
    const t = { warning: 80, critical: 95 };
    expect([null, 10, 79.9, 80, 94, 95, 100].map((v) => levelOf(v, t))).toEqual(['ok', 'ok', 'ok', 'warning', 'warning', 'critical', 'critical']);
  });

  it('keeps only valid pairs', () => {
    expect(sanitizeThresholds({ cpu: { warning: 50, critical: 60 }, memory: { warning: 90, critical: 80 }, disk: { warning: -1, critical: 5 } }))
      .toEqual({ ...DEFAULT_THRESHOLDS, cpu: { warning: 50, critical: 60 } });
    expect(sanitizeThresholds('nonsense')).toEqual(DEFAULT_THRESHOLDS);
  });

  it('remembers what the user set in this browser', () => {
    TestBed.inject(ThresholdsService).set({ ...DEFAULT_THRESHOLDS, disk: { warning: 70, critical: 75 } });
    expect(JSON.parse(localStorage.getItem(THRESHOLDS_KEY)!).disk).toEqual({ warning: 70, critical: 75 });
    TestBed.resetTestingModule();
    expect(TestBed.inject(ThresholdsService).thresholds().disk).toEqual({ warning: 70, critical: 75 });
  });
});
