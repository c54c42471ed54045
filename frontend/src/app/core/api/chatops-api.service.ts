import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  ChatCompletions, ChatHistoryPage, ChatIntegrationStatus, ChatLink, ChatLinkPreview, ChatMessageResponse, ChatProvider, ChatSettings,
  MattermostIntegrationUpdate, SlackIntegrationUpdate,
} from '@chatops/protocol/chatops';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';
import { queryParams } from './query-params';

export interface ChatHistoryQuery {
  serverId?: string | null;
  /** Case-insensitive substring of the message text. */
  q?: string;
  /** The previous page's `nextCursor`. */
  before?: string | null;
  limit?: number;
}

/** What `PUT /chatops/integrations/{provider}` takes, per provider. */
export interface ChatIntegrationUpdates {
  slack: SlackIntegrationUpdate;
  mattermost: MattermostIntegrationUpdate;
}

/**
 * `/chatops` (docs/chatops.md): send a message, the conversation history, completion, settings,
 * chat account links and (admins) the Slack/Mattermost integration secrets.
 */
@Injectable({ providedIn: 'root' })
export class ChatopsApi {
  private readonly http = inject(HttpClient);

  /**
   * Refusals come back as a 200 reply with `error`; only network and internal errors raise a toast.
   * `stream`: `run` and `logs … follow` answer at once and stream their output over `/live`.
   */
  send(text: string, serverId?: string | null, stream = false): Observable<ChatMessageResponse> {
    return this.http.post<ChatMessageResponse>(`${API}/chatops/messages`, { text, ...(serverId ? { serverId } : {}), ...(stream ? { stream } : {}) });
  }

  /** Newest first. */
  history(query: ChatHistoryQuery = {}): Observable<ChatHistoryPage> {
    let params = queryParams().set('limit', query.limit ?? 30);
    if (query.serverId) params = params.set('serverId', query.serverId);
    if (query.q?.trim()) params = params.set('q', query.q.trim());
    if (query.before) params = params.set('before', query.before);
    return this.http.get<ChatHistoryPage>(`${API}/chatops/history`, { params });
  }

  /** Completion runs while typing: a failure just shows no suggestions, never a toast. */
  complete(text: string, serverId?: string | null): Observable<ChatCompletions> {
    let params = queryParams().set('text', text);
    if (serverId) params = params.set('serverId', serverId);
    return this.http.get<ChatCompletions>(`${API}/chatops/complete`, { params, context: new HttpContext().set(SKIP_ERROR_TOAST, true) });
  }

  settings(): Observable<ChatSettings> {
    return this.http.get<ChatSettings>(`${API}/chatops/settings`);
  }

  updateSettings(body: Partial<ChatSettings>): Observable<ChatSettings> {
    return this.http.put<ChatSettings>(`${API}/chatops/settings`, body);
  }

  /** The signed-in user's linked chat accounts, oldest first. */
  links(): Observable<ChatLink[]> {
    return this.http.get<ChatLink[]>(`${API}/chatops/links`);
  }

  /** Who a link token is for; the token stays unused. The link page shows 404/409/410 itself: no toast. */
  previewLink(token: string): Observable<ChatLinkPreview> {
    return this.http.post<ChatLinkPreview>(`${API}/chatops/links/preview`, { token }, { context: new HttpContext().set(SKIP_ERROR_TOAST, true) });
  }

  /** Uses the token: links the chat user to the signed-in account. No toast: the link page shows the outcome. */
  confirmLink(token: string): Observable<ChatLink> {
    return this.http.post<ChatLink>(`${API}/chatops/links/confirm`, { token }, { context: new HttpContext().set(SKIP_ERROR_TOAST, true) });
  }

  unlink(id: string): Observable<void> {
    return this.http.delete<void>(`${API}/chatops/links/${encodeURIComponent(id)}`);
  }

  /** Admin only; never carries the secret. */
  integration(provider: ChatProvider): Observable<ChatIntegrationStatus> {
    return this.http.get<ChatIntegrationStatus>(`${API}/chatops/integrations/${provider}`);
  }

  setIntegration<P extends ChatProvider>(provider: P, body: ChatIntegrationUpdates[P]): Observable<ChatIntegrationStatus> {
    return this.http.put<ChatIntegrationStatus>(`${API}/chatops/integrations/${provider}`, body);
  }

  /** Forgets the stored secret; the environment's (if any) applies again. */
  removeIntegration(provider: ChatProvider): Observable<ChatIntegrationStatus> {
    return this.http.delete<ChatIntegrationStatus>(`${API}/chatops/integrations/${provider}`);
  }
}
