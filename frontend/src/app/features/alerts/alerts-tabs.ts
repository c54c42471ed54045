import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { AlertListComponent } from './alert-list.component';
import { ChannelsComponent } from './channels.component';
import { FleetServers } from './fleet-servers';
import { RuleListComponent } from './rule-list.component';
import { SilencesComponent } from './silences.component';

/** The tabs of `/alerts`: each hands the fleet's servers to its component. */
@Component({
  selector: 'app-alerts-tab',
  imports: [AlertListComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<app-alert-list [servers]="fleet.servers()" />`,
})
export class AlertsTabPage {
  protected readonly fleet = inject(FleetServers);
}

@Component({
  selector: 'app-rules-tab',
  imports: [RuleListComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<app-rule-list [servers]="fleet.servers()" />`,
})
export class RulesTabPage {
  protected readonly fleet = inject(FleetServers);
}

@Component({
  selector: 'app-silences-tab',
  imports: [SilencesComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<app-silences [servers]="fleet.servers()" />`,
})
export class SilencesTabPage {
  protected readonly fleet = inject(FleetServers);
}

@Component({
  selector: 'app-channels-tab',
  imports: [ChannelsComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<app-channels />`,
})
export class ChannelsTabPage {}
