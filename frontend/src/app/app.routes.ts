import { Routes } from '@angular/router';
import { adminGuard, authGuard, guestGuard, passwordChangeGuard } from './core/auth/auth.guards';

export const routes: Routes = [
  { path: 'login', canActivate: [guestGuard], title: 'Sign in · ChatOps', loadComponent: () => import('./features/auth/login.page').then((m) => m.LoginPage) },
  { path: 'register', canActivate: [guestGuard], title: 'Create account · ChatOps', loadComponent: () => import('./features/auth/register.page').then((m) => m.RegisterPage) },
  { path: 'choose-password', canActivate: [passwordChangeGuard], title: 'Choose a new password · ChatOps', loadComponent: () => import('./features/auth/choose-password.page').then((m) => m.ChoosePasswordPage) },
  // No guard: the link works signed in or out (the token is the credential).
  { path: 'reset-password/:token', title: 'Reset your password · ChatOps', loadComponent: () => import('./features/auth/reset-password.page').then((m) => m.ResetPasswordPage) },
  {
    path: '',
    canActivate: [authGuard],
    loadComponent: () => import('./features/shell/shell.component').then((m) => m.ShellComponent),
    children: [
      { path: '', pathMatch: 'full', title: 'Overview · ChatOps', loadComponent: () => import('./features/overview/overview.page').then((m) => m.OverviewPage) },
      { path: 'servers/new', title: 'Add server · ChatOps', loadComponent: () => import('./features/add-server/add-server.page').then((m) => m.AddServerPage) },
      { path: 'servers/:id/settings', title: 'Server settings · ChatOps', loadComponent: () => import('./features/server-settings/server-settings.page').then((m) => m.ServerSettingsPage) },
      { path: 'servers/:id', title: 'Server · ChatOps', loadChildren: () => import('./features/server-detail/server-detail.routes').then((m) => m.SERVER_DETAIL_ROUTES) },
      { path: 'alerts', loadChildren: () => import('./features/alerts/alerts.routes').then((m) => m.ALERTS_ROUTES) },
      // Before `chat`: the page a Slack/Mattermost user opens after typing `link` (signed-out users come back here with the token).
      { path: 'chat/link', title: 'Link a chat account · ChatOps', loadComponent: () => import('./features/chat/chat-link.page').then((m) => m.ChatLinkPage) },
      { path: 'chat', title: 'Chat · ChatOps', loadComponent: () => import('./features/chat/chat.page').then((m) => m.ChatPage) },
      { path: 'teams/join/:token', title: 'Join a team · ChatOps', loadComponent: () => import('./features/teams/team-join.page').then((m) => m.TeamJoinPage) },
      { path: 'teams', title: 'Teams · ChatOps', loadComponent: () => import('./features/teams/teams.page').then((m) => m.TeamsPage) },
      { path: 'audit', title: 'Audit log · ChatOps', loadComponent: () => import('./features/audit/audit.page').then((m) => m.AuditPage) },
      { path: 'admin', canActivate: [adminGuard], title: 'Administration · ChatOps', loadComponent: () => import('./features/admin/admin.page').then((m) => m.AdminPage) },
      { path: 'profile', title: 'Profile · ChatOps', loadComponent: () => import('./features/profile/profile.page').then((m) => m.ProfilePage) },
      { path: '**', title: 'Not found · ChatOps', loadComponent: () => import('./shared/ui/not-found.component').then((m) => m.NotFoundComponent) },
    ],
  },
];
