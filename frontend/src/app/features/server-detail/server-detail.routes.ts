import { Route, Routes } from '@angular/router';
import { ServerLayoutComponent } from './server-layout.component';
import { SERVER_TABS, ServerTab } from './server-tabs';

/**
 * `/servers/:id` (lazy, from app.routes): the layout (header + tab bar), one lazy child route per
 * tab of SERVER_TABS.
 *
 * Every lazy chunk must load Angular itself (here: the layout, imported statically): esbuild keeps
 * its runtime helpers in the Angular core chunk only while every chunk also imports that chunk; a
 * chunk without Angular (a bare routes file, a library imported on its own) moves the helpers into a
 * separate chunk that the initial bundle then preloads. The same reason keeps xterm and
 * asciinema-player static imports of their (lazy) components.
 */
export const SERVER_DETAIL_ROUTES: Routes = [{ path: '', component: ServerLayoutComponent, children: SERVER_TABS.map(tabRoute) }];

function tabRoute(tab: ServerTab): Route {
  const route: Route = { path: tab.path, title: tab.title, loadComponent: tab.loadComponent, loadChildren: tab.loadChildren };
  if (tab.path === '') route.pathMatch = 'full';
  return route;
}
