import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  AlertDetail, AlertPage, AlertSilence, AlertStatusFilter, AlertThreshold, CreateSilenceRequest, CreateThresholdRequest,
  MetricType, NotificationDelivery, Severity, UpdateThresholdRequest,
} from '@chatops/protocol';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';
import { queryParams } from './query-params';

export interface AlertQuery {
  status?: AlertStatusFilter;
  serverId?: string;
  thresholdId?: string;
  severity?: Severity | '';
  metricType?: MetricType | '';
  limit?: number;
  /** The previous page's `nextCursor`. */
  before?: string;
}

const id = (v: string) => encodeURIComponent(v);
/** The caller shows the 400's `details` beside the fields, so no toast. */
const quiet = () => ({ context: new HttpContext().set(SKIP_ERROR_TOAST, true) });

/** `/alerts`: alerts (paged), their lifecycle, rules (thresholds) and silences (docs/api.md "Alerts"). */
@Injectable({ providedIn: 'root' })
export class AlertsApi {
  private readonly http = inject(HttpClient);

  /** `quiet`: no toast on failure (background reads). */
  list(query: AlertQuery = {}, isQuiet = false): Observable<AlertPage> {
    let params = queryParams().set('limit', query.limit ?? 50);
    for (const key of ['status', 'serverId', 'thresholdId', 'severity', 'metricType', 'before'] as const) {
      const v = query[key];
      if (v) params = params.set(key, v);
    }
    return this.http.get<AlertPage>(`${API}/alerts`, { params, context: new HttpContext().set(SKIP_ERROR_TOAST, isQuiet) });
  }

  /** `quiet`: the page renders its own not-found state. */
  get(alertId: string, isQuiet = false): Observable<AlertDetail> {
    return this.http.get<AlertDetail>(`${API}/alerts/${id(alertId)}`, { context: new HttpContext().set(SKIP_ERROR_TOAST, isQuiet) });
  }

  acknowledge(alertId: string, note?: string): Observable<AlertDetail> {
    return this.http.post<AlertDetail>(`${API}/alerts/${id(alertId)}/acknowledge`, note ? { note } : {});
  }

  resolve(alertId: string, note?: string): Observable<AlertDetail> {
    return this.http.post<AlertDetail>(`${API}/alerts/${id(alertId)}/resolve`, note ? { note } : {});
  }

  deliveries(alertId: string): Observable<NotificationDelivery[]> {
    return this.http.get<NotificationDelivery[]>(`${API}/alerts/${id(alertId)}/deliveries`);
  }

  /** With `serverId`: the rules that apply to that server (its own and the all-servers ones). `quiet`: no toast on failure. */
  rules(serverId?: string, isQuiet = false): Observable<AlertThreshold[]> {
    const params = serverId ? queryParams().set('serverId', serverId) : undefined;
    return this.http.get<AlertThreshold[]>(`${API}/alerts/thresholds`, { params, context: new HttpContext().set(SKIP_ERROR_TOAST, isQuiet) });
  }

  createRule(body: CreateThresholdRequest): Observable<AlertThreshold> {
    return this.http.post<AlertThreshold>(`${API}/alerts/thresholds`, body, quiet());
  }

  updateRule(ruleId: string, body: UpdateThresholdRequest, isQuiet = true): Observable<AlertThreshold> {
    return this.http.put<AlertThreshold>(`${API}/alerts/thresholds/${id(ruleId)}`, body, { context: new HttpContext().set(SKIP_ERROR_TOAST, isQuiet) });
  }

  deleteRule(ruleId: string): Observable<void> {
    return this.http.delete<void>(`${API}/alerts/thresholds/${id(ruleId)}`);
  }

  silences(): Observable<AlertSilence[]> {
    return this.http.get<AlertSilence[]>(`${API}/alerts/silences`);
  }

  createSilence(body: CreateSilenceRequest): Observable<AlertSilence> {
    return this.http.post<AlertSilence>(`${API}/alerts/silences`, body, quiet());
  }

  /** The silence ends now. */
  deleteSilence(silenceId: string): Observable<void> {
    return this.http.delete<void>(`${API}/alerts/silences/${id(silenceId)}`);
  }
}

