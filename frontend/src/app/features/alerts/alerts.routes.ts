import { Routes } from '@angular/router';
import { provideEchartsCore } from 'ngx-echarts';
import { echarts } from '../server-detail/echarts-setup';
import { AlertsLayoutComponent } from './alerts-layout.component';
import { AlertsTabPage, ChannelsTabPage, RulesTabPage, SilencesTabPage } from './alerts-tabs';

/**
 * `/alerts` (lazy, from app.routes): the tabbed layout, and `/alerts/:id`, one alert with its
 * snapshot (ECharts provided in that route only).
 */
export const ALERTS_ROUTES: Routes = [
  {
    path: '',
    component: AlertsLayoutComponent,
    children: [
      { path: '', pathMatch: 'full', title: 'Alerts · ChatOps', component: AlertsTabPage },
      { path: 'rules', title: 'Alert rules · ChatOps', component: RulesTabPage },
      { path: 'silences', title: 'Silences · ChatOps', component: SilencesTabPage },
      { path: 'channels', title: 'Notification channels · ChatOps', component: ChannelsTabPage },
    ],
  },
  {
    path: ':id',
    title: 'Alert · ChatOps',
    providers: [provideEchartsCore({ echarts })],
    loadComponent: () => import('./alert-detail.page').then((m) => m.AlertDetailPage),
  },
];
