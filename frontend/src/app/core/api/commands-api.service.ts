import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CommandAccepted, CommandPolicy, CommandRecord, CommandStatus, RunCommandRequest, UpdateCommandPolicyRequest } from '@chatops/protocol';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';
import { queryParams } from './query-params';

export interface CommandHistoryQuery {
  limit?: number;
  /** The last item's `commandId` of the previous page (or an ISO time). */
  before?: string;
  status?: CommandStatus | '';
  /** Text the command must contain. */
  q?: string;
}

/** `/commands`: run a command, its history, one record, and the server's command policy. */
@Injectable({ providedIn: 'root' })
export class CommandsApi {
  private readonly http = inject(HttpClient);

  /**
   * Starts a command (`?async=true` → 202 with the id); the output arrives on `/live`. Errors are
   * shown next to the command, not as a toast.
   */
  run(serverId: string, body: RunCommandRequest): Observable<CommandAccepted> {
    return this.http.post<CommandAccepted>(`${API}/commands/${encodeURIComponent(serverId)}`, body, {
      params: queryParams().set('async', 'true'),
      context: new HttpContext().set(SKIP_ERROR_TOAST, true),
    });
  }

  /** Newest first; a page is full when it has `limit` items. */
  history(serverId: string, query: CommandHistoryQuery = {}): Observable<CommandRecord[]> {
    let params = queryParams().set('limit', query.limit ?? 50);
    if (query.before) params = params.set('before', query.before);
    if (query.status) params = params.set('status', query.status);
    if (query.q?.trim()) params = params.set('q', query.q.trim());
    return this.http.get<CommandRecord[]>(`${API}/commands/${encodeURIComponent(serverId)}/history`, { params });
  }

  /** `quiet`: no toast on failure (background checks). */
  item(commandId: string, quiet = false): Observable<CommandRecord> {
    return this.http.get<CommandRecord>(`${API}/commands/item/${encodeURIComponent(commandId)}`, {
      context: new HttpContext().set(SKIP_ERROR_TOAST, quiet),
    });
  }

  /** `quiet`: a 403/404 hides the policy card instead of raising a toast. */
  policy(serverId: string, quiet = false): Observable<CommandPolicy> {
    return this.http.get<CommandPolicy>(`${API}/commands/${encodeURIComponent(serverId)}/policy`, {
      context: new HttpContext().set(SKIP_ERROR_TOAST, quiet),
    });
  }

  /** A 400 names the bad line in `details`: the card shows it beside that line, so no toast. */
  updatePolicy(serverId: string, body: UpdateCommandPolicyRequest): Observable<CommandPolicy> {
    return this.http.put<CommandPolicy>(`${API}/commands/${encodeURIComponent(serverId)}/policy`, body, {
      context: new HttpContext().set(SKIP_ERROR_TOAST, true),
    });
  }
}
