import { Injectable, signal } from '@angular/core';

/** A value's state against its thresholds; shown as a word and an icon as well as a colour. */
export type Level = 'ok' | 'warning' | 'critical';
export interface ThresholdPair { warning: number; critical: number }
export type ThresholdMetric = 'cpu' | 'memory' | 'disk';
export type Thresholds = Record<ThresholdMetric, ThresholdPair>;

export const DEFAULT_THRESHOLDS: Thresholds = {
  cpu: { warning: 80, critical: 95 },
  memory: { warning: 80, critical: 95 },
  disk: { warning: 85, critical: 95 },
};
export const THRESHOLDS_KEY = 'chatops.thresholds';

function copyDefaults(): Thresholds {
  return { cpu: { ...DEFAULT_THRESHOLDS.cpu }, memory: { ...DEFAULT_THRESHOLDS.memory }, disk: { ...DEFAULT_THRESHOLDS.disk } };
}

/** `critical` at or above the critical threshold, `warning` at or above the warning one. */
export function levelOf(value: number | null | undefined, t: ThresholdPair): Level {
  if (value == null || !Number.isFinite(value)) return 'ok';
  return value >= t.critical ? 'critical' : value >= t.warning ? 'warning' : 'ok';
}

/** Valid pairs only (0–100, warning ≤ critical); anything else falls back to the default. */
export function sanitizeThresholds(raw: unknown): Thresholds {
  const out = copyDefaults();
  if (!raw || typeof raw !== 'object') return out;
  for (const k of Object.keys(out) as ThresholdMetric[]) {
    const p = (raw as Record<string, Partial<ThresholdPair> | undefined>)[k];
    const ok = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100;
    if (p && ok(p.warning) && ok(p.critical) && p.warning <= p.critical) out[k] = { warning: p.warning, critical: p.critical };
  }
  return out;
}

/**
 * The warning and critical levels the dashboard marks values with (gauges, cards, tables), set by
 * the user in Profile and kept in this browser (localStorage).
 */
@Injectable({ providedIn: 'root' })
export class ThresholdsService {
  readonly thresholds = signal<Thresholds>(readStored());

  set(next: Thresholds): void {
    const clean = sanitizeThresholds(next);
    this.thresholds.set(clean);
    try {
      localStorage.setItem(THRESHOLDS_KEY, JSON.stringify(clean));
    } catch {
      /* storage full or blocked: kept for this visit */
    }
  }

  reset(): void {
    this.set(DEFAULT_THRESHOLDS);
  }
}

function readStored(): Thresholds {
  try {
    return sanitizeThresholds(JSON.parse(localStorage.getItem(THRESHOLDS_KEY) ?? 'null'));
  } catch {
    return copyDefaults();
  }
}
