import { HttpClient, HttpContext, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { MetricsSample } from '@chatops/protocol';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';

export interface LatestMetrics {
  serverId: string;
  timestamp: string;
  sample: MetricsSample;
}

export interface HistoryPoint {
  timestamp: string;
  cpuPercent: number | null;
  memoryPercent: number | null;
  diskPercent: number | null;
  load1: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
}

export interface MetricsHistory {
  serverId: string;
  start: string;
  end: string;
  resolution: number | string;
  points: HistoryPoint[];
}

@Injectable({ providedIn: 'root' })
export class MetricsApi {
  private readonly http = inject(HttpClient);

  /** 404 means "no sample yet": the page shows a waiting state, so no snackbar. */
  latest(serverId: string): Observable<LatestMetrics> {
    return this.http.get<LatestMetrics>(`${API}/metrics/${encodeURIComponent(serverId)}`, {
      context: new HttpContext().set(SKIP_ERROR_TOAST, true),
    });
  }

  history(serverId: string, start: Date, end: Date, points = 300): Observable<MetricsHistory> {
    const params = new HttpParams()
      .set('start', start.toISOString())
      .set('end', end.toISOString())
      .set('points', points);
    return this.http.get<MetricsHistory>(`${API}/metrics/${encodeURIComponent(serverId)}/history`, { params });
  }
}
