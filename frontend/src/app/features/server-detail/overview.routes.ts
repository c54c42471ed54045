import { Routes } from '@angular/router';
import { provideEchartsCore } from 'ngx-echarts';
import { echarts } from './echarts-setup';

/** The Overview tab. ECharts is provided here, in its lazy route, so it never lands in another chunk. */
export const OVERVIEW_ROUTES: Routes = [
  {
    path: '',
    providers: [provideEchartsCore({ echarts })],
    loadComponent: () => import('./server-detail.page').then((m) => m.ServerDetailPage),
  },
];
