import AxeBuilder from '@axe-core/playwright';
import { source as axeCoreSource, type Result } from 'axe-core';
import type { Page } from 'playwright-core';

/**
 * The rules the accessibility gate runs: WCAG 2.0/2.1/2.2 A and AA, plus axe's best practices
 * (landmark-one-main, region, heading-order, page-has-heading-one are best-practice rules, and they
 * are what a screen-reader user navigates by).
 */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/**
 * Rules outside those tags that the gate runs as well: label-content-name-mismatch (WCAG 2.5.3,
 * "label in name": a voice-control user says what they see) is marked experimental in axe, so the
 * tags alone would skip it.
 */
export const AXE_EXTRA_RULES = ['label-content-name-mismatch'];

/**
 * The `region` rule ("all content inside landmarks") counts an open dialog as a region of its own
 * (axe's default regionMatcher: `dialog, [role=dialog], [role=alertdialog], svg`). An open Angular
 * Material menu is the same kind of transient popup: the CDK renders it in the overlay container at
 * the end of <body>, outside every landmark, and a user reaches it only from its labelled trigger
 * (aria-haspopup, aria-expanded), focus moving into it. The matcher is widened to exactly that
 * element; the rule still runs on everything else, and every other rule still runs on the menu.
 */
const REGION_MATCHER = 'dialog, [role=dialog], [role=alertdialog], svg, .cdk-overlay-container .mat-mdc-menu-panel[role=menu]';
const AXE_SOURCE = `${axeCoreSource}
;axe.configure({ checks: [{ id: 'region', options: { regionMatcher: ${JSON.stringify(REGION_MATCHER)} } }] });`;

/** One violation as a line a person can act on: rule, impact, what, where. */
export function describeViolations(where: string, violations: Result[]): string[] {
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${where}: ${v.id} (${v.impact}) ${v.help}\n    at ${n.target.join(' ')}: ${n.html.slice(0, 300)}\n    ${(n.failureSummary ?? '').replace(/\n/g, '\n    ')}`),
  );
}

/**
 * Runs axe on the page as it is now and answers the violations (an empty list passes). Legacy mode
 * runs axe.run in the page itself: the dashboard has no iframes, and the default mode's extra blank
 * page per run for finishRun doubled the time (about 2 s instead of 4 s a page here).
 */
export async function axeViolations(page: Page): Promise<Result[]> {
  const builder = new AxeBuilder({ page, axeSource: AXE_SOURCE }).setLegacyMode(true).options({
    runOnly: { type: 'tag', values: AXE_TAGS },
    rules: Object.fromEntries(AXE_EXTRA_RULES.map((id) => [id, { enabled: true }])),
  });
  const results = await builder.analyze();
  return results.violations;
}
