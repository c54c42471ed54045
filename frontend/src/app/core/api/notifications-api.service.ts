import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { ChannelTestResult, CreateChannelRequest, NotificationChannel, NotificationDelivery, UpdateChannelRequest } from '@chatops/protocol';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';

const base = `${API}/notifications/channels`;
const id = (v: string) => encodeURIComponent(v);
/** The dialog shows the 400's `details` beside the fields, so no toast. */
const quiet = () => ({ context: new HttpContext().set(SKIP_ERROR_TOAST, true) });

/** `/notifications/channels`: the user's channels, a test message, and each channel's delivery log. */
@Injectable({ providedIn: 'root' })
export class NotificationsApi {
  private readonly http = inject(HttpClient);

  channels(): Observable<NotificationChannel[]> {
    return this.http.get<NotificationChannel[]>(base);
  }
  create(body: CreateChannelRequest): Observable<NotificationChannel> {
    return this.http.post<NotificationChannel>(base, body, quiet());
  }
  update(channelId: string, body: UpdateChannelRequest, isQuiet = true): Observable<NotificationChannel> {
    return this.http.put<NotificationChannel>(`${base}/${id(channelId)}`, body, { context: new HttpContext().set(SKIP_ERROR_TOAST, isQuiet) });
  }
  remove(channelId: string): Observable<void> {
    return this.http.delete<void>(`${base}/${id(channelId)}`);
  }
  /** Sent now, without queue or retry: a failure is `ok:false` with the reason (still a 200). */
  test(channelId: string): Observable<ChannelTestResult> {
    return this.http.post<ChannelTestResult>(`${base}/${id(channelId)}/test`, {});
  }
  deliveries(channelId: string): Observable<NotificationDelivery[]> {
    return this.http.get<NotificationDelivery[]>(`${base}/${id(channelId)}/deliveries`);
  }
}
