import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  AcceptedTeamInvite, CreatedTeamInvite, CreateTeamInviteRequest, Server, Team, TeamInvite, TeamInvitePreview, TeamMember, TeamRole,
} from '@chatops/protocol';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';

/** Teams and members (docs/api.md, Teams), and moving a server between a user and a team. */
@Injectable({ providedIn: 'root' })
export class TeamsApi {
  private readonly http = inject(HttpClient);

  list(): Observable<Team[]> {
    return this.http.get<Team[]>(`${API}/teams`);
  }
  create(name: string): Observable<Team> {
    return this.http.post<Team>(`${API}/teams`, { name });
  }
  rename(id: string, name: string): Observable<Team> {
    return this.http.put<Team>(`${API}/teams/${encodeURIComponent(id)}`, { name });
  }
  remove(id: string): Observable<void> {
    return this.http.delete<void>(`${API}/teams/${encodeURIComponent(id)}`);
  }
  members(id: string): Observable<TeamMember[]> {
    return this.http.get<TeamMember[]>(`${API}/teams/${encodeURIComponent(id)}/members`);
  }
  /** `user`: a username or an email address. */
  addMember(id: string, user: string, role: TeamRole): Observable<TeamMember> {
    return this.http.post<TeamMember>(`${API}/teams/${encodeURIComponent(id)}/members`, { user, role });
  }
  changeMember(id: string, userId: string, role: TeamRole): Observable<TeamMember> {
    return this.http.put<TeamMember>(`${API}/teams/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`, { role });
  }
  removeMember(id: string, userId: string): Observable<void> {
    return this.http.delete<void>(`${API}/teams/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`);
  }
  leave(id: string): Observable<void> {
    return this.http.post<void>(`${API}/teams/${encodeURIComponent(id)}/leave`, {});
  }
  /** Moves a server to a team (`teamId`) or to the caller personally (null). */
  moveServer(serverId: string, teamId: string | null): Observable<Server> {
    return this.http.put<Server>(`${API}/servers/${encodeURIComponent(serverId)}/owner`, { teamId });
  }
  invites(teamId: string): Observable<TeamInvite[]> {
    return this.http.get<TeamInvite[]>(`${API}/teams/${encodeURIComponent(teamId)}/invites`);
  }
  createInvite(teamId: string, body: CreateTeamInviteRequest): Observable<CreatedTeamInvite> {
    return this.http.post<CreatedTeamInvite>(`${API}/teams/${encodeURIComponent(teamId)}/invites`, body);
  }
  revokeInvite(teamId: string, inviteId: string): Observable<void> {
    return this.http.delete<void>(`${API}/teams/${encodeURIComponent(teamId)}/invites/${encodeURIComponent(inviteId)}`);
  }
  /** The join page shows its own explanation when the link cannot be used: no error toast. */
  previewInvite(token: string): Observable<TeamInvitePreview> {
    return this.http.get<TeamInvitePreview>(`${API}/team-invites/${encodeURIComponent(token)}`, { context: new HttpContext().set(SKIP_ERROR_TOAST, true) });
  }
  acceptInvite(token: string): Observable<AcceptedTeamInvite> {
    return this.http.post<AcceptedTeamInvite>(`${API}/team-invites/${encodeURIComponent(token)}/accept`, {}, { context: new HttpContext().set(SKIP_ERROR_TOAST, true) });
  }
}
