import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { FleetServers } from './fleet-servers';

const TABS = [
  { path: '', label: 'Alerts' }, { path: 'rules', label: 'Rules' }, { path: 'silences', label: 'Silences' }, { path: 'channels', label: 'Channels' },
];

/** `/alerts`: the fleet's alerts, rules, silences and notification channels, one tab each (router links, shareable URLs). */
@Component({
  selector: 'app-alerts-layout',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, MatTabsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [FleetServers],
  template: `
    <div class="page">
      <header class="page-header"><h1>Alerts</h1></header>
      <nav mat-tab-nav-bar [tabPanel]="panel" aria-label="Alert sections" class="tabs">
        @for (tab of tabs; track tab.path) {
          <a mat-tab-link [routerLink]="tab.path ? ['/alerts', tab.path] : ['/alerts']" routerLinkActive #rla="routerLinkActive"
            [routerLinkActiveOptions]="{ exact: tab.path === '' }" [active]="rla.isActive" [attr.data-testid]="'alerts-tab-' + (tab.path || 'alerts')">{{ tab.label }}</a>
        }
      </nav>
      <mat-tab-nav-panel #panel><router-outlet /></mat-tab-nav-panel>
    </div>
  `,
  styles: `.tabs { margin-bottom: 16px; }`,
})
export class AlertsLayoutComponent {
  protected readonly tabs = TABS;
}
