import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  ContainerActionQuery, ContainerActionResponse, ContainerEvent, ContainerInfo, ContainerInspect, ContainerLogs, ContainerMutation,
} from '@chatops/protocol';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';
import { queryParams } from './query-params';

export interface ContainerLogsQuery {
  tail?: number;
  timestamps?: boolean;
}

/**
 * `/docker/{serverId}` (docs/api.md "Docker"): containers, one container's inspect and logs, the
 * actions, and the server's recent container events. Every call skips the global error toast:
 * the Containers tab turns each failure into its own state or toast (Docker's message).
 */
@Injectable({ providedIn: 'root' })
export class DockerApi {
  private readonly http = inject(HttpClient);
  private readonly quiet = () => ({ context: new HttpContext().set(SKIP_ERROR_TOAST, true) });

  private base(serverId: string): string {
    return `${API}/docker/${encodeURIComponent(serverId)}`;
  }

  /** Stopped containers too. */
  containers(serverId: string): Observable<ContainerInfo[]> {
    return this.http.get<ContainerInfo[]>(`${this.base(serverId)}/containers`, { ...this.quiet(), params: queryParams().set('all', true) });
  }

  inspect(serverId: string, containerId: string): Observable<ContainerInspect> {
    return this.http.get<ContainerInspect>(`${this.base(serverId)}/containers/${encodeURIComponent(containerId)}`, this.quiet());
  }

  logs(serverId: string, containerId: string, query: ContainerLogsQuery = {}): Observable<ContainerLogs> {
    let params = queryParams();
    if (query.tail != null) params = params.set('tail', query.tail);
    if (query.timestamps) params = params.set('timestamps', true);
    return this.http.get<ContainerLogs>(`${this.base(serverId)}/containers/${encodeURIComponent(containerId)}/logs`, { ...this.quiet(), params });
  }

  /** Resolves once Docker did it (stop/restart wait for the container's stop timeout). */
  act(serverId: string, containerId: string, action: ContainerMutation, options: ContainerActionQuery = {}): Observable<ContainerActionResponse> {
    let params = queryParams();
    for (const [key, value] of Object.entries(options)) if (value !== undefined) params = params.set(key, value as string | number | boolean);
    return this.http.post<ContainerActionResponse>(`${this.base(serverId)}/containers/${encodeURIComponent(containerId)}/${action}`, null, { ...this.quiet(), params });
  }

  /** Newest first; read from the database, so it works while the agent is offline. */
  events(serverId: string, limit = 50): Observable<ContainerEvent[]> {
    return this.http.get<ContainerEvent[]>(`${this.base(serverId)}/events`, { ...this.quiet(), params: queryParams().set('limit', limit) });
  }
}
