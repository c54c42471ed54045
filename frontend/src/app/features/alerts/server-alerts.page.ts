import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ServerContext } from '../server-detail/server-context';
import { AlertListComponent } from './alert-list.component';
import { RuleListComponent } from './rule-list.component';

/**
 * `/servers/:id/alerts`: this server's alerts (live: the server page holds its `/live`
 * subscription), an active silence covering it, and the rules that apply to it.
 */
@Component({
  selector: 'app-server-alerts',
  imports: [AlertListComponent, RuleListComponent, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <app-alert-list [serverId]="ctx.id()" [servers]="servers()" />
    <app-rule-list class="rules" [serverId]="ctx.id()" [servers]="servers()" />
    <p class="muted links"><a routerLink="/alerts/silences">Silences</a> · <a routerLink="/alerts/channels">Notification channels</a> · <a routerLink="/alerts">Every server's alerts</a></p>
  `,
  styles: `.rules { display: block; margin-top: 24px; } .links { margin-top: 16px; }`,
})
export class ServerAlertsPage {
  protected readonly ctx = inject(ServerContext);
  protected readonly servers = computed(() => { const s = this.ctx.server(); return s ? [s] : []; });
}
