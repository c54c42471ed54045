import { Routes } from '@angular/router';
import { provideEchartsCore } from 'ngx-echarts';
import { echarts } from './echarts-setup';

/** ECharts is provided here, in the lazy route, so it never lands in the initial bundle. */
export const SERVER_DETAIL_ROUTES: Routes = [
  {
    path: '',
    providers: [provideEchartsCore({ echarts })],
    loadComponent: () => import('./server-detail.page').then((m) => m.ServerDetailPage),
  },
];
