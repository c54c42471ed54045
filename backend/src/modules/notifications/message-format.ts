/**
 * How a notification reads: one line of text, an HTML mail, a Slack Block Kit message and the
 * generic webhook's JSON. A message carries one alert, or several (a grouped message: one rule
 * breached on several servers within the grouping window).
 */
import { SLACK_ACTION_PREFIX, type DeliveryKind, type WebhookPayload } from '@chatops/protocol';
import { formatValue, metricLabel } from '../alerts/alert-rules';
import type { NotifiedAlert } from './delivery-log.service';

const VERB: Record<DeliveryKind, string> = { fired: 'FIRING', acknowledged: 'ACKNOWLEDGED', resolved: 'RESOLVED', test: 'TEST' };
const OPS = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=' } as const;
const SLACK_MAX_LINES = 20;

export interface Message {
  kind: DeliveryKind;
  alerts: NotifiedAlert[];
  deliveryId: string;
  /** PUBLIC_URL, for links to the dashboard. */
  publicUrl: string | undefined;
}

const severityOf = (m: Message) => m.alerts.reduce<string>((s, a) => (a.severity === 'critical' || (a.severity === 'warning' && s === 'info') ? a.severity : s), 'info');
const serverLabel = (a: NotifiedAlert) => a.serverName ?? a.serverId;

/** Subject / first line, e.g. `[FIRING] critical: web-1: CPU 95.2% > 90%` or `[FIRING] warning: CPU > 90% on 99 servers`. */
export function title(m: Message): string {
  if (m.kind === 'test') return '[TEST] ChatOps notification channel test';
  const a = m.alerts[0];
  if (m.alerts.length === 1) return `[${VERB[m.kind]}] ${a.severity}: ${a.message}`;
  const what = `${metricLabel(a.metricType)}${a.target ? ` ${a.target}` : ''} ${OPS[a.comparison]} ${formatValue(a.metricType, a.thresholdValue)}`;
  const servers = new Set(m.alerts.map((x) => x.serverId)).size;
  return `[${VERB[m.kind]}] ${severityOf(m)}: ${what} on ${servers} server${servers === 1 ? '' : 's'}`;
}

function line(a: NotifiedAlert, kind: DeliveryKind): string {
  const who = kind === 'acknowledged' && a.acknowledgedBy ? ` (by ${a.acknowledgedBy}${a.acknowledgeNote ? `: ${a.acknowledgeNote}` : ''})`
    : kind === 'resolved' ? (a.resolvedBy ? ` (by ${a.resolvedBy}${a.resolveNote ? `: ${a.resolveNote}` : ''})` : ` (${a.resolveReason ?? 'recovered'})`) : '';
  return `${a.message}${who}`;
}

const link = (m: Message, a: NotifiedAlert) => (m.publicUrl ? `${m.publicUrl}/alerts/${a.id}` : null);

export function plainText(m: Message): string {
  if (m.kind === 'test') return 'This is a test message from ChatOps: the channel works.';
  const lines = m.alerts.map((a) => `- ${line(a, m.kind)}${link(m, a) ? ` ${link(m, a)}` : ''}`);
  return `${title(m)}\n\n${lines.join('\n')}\n\nStarted: ${m.alerts[0].startedAt}\n`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function html(m: Message): string {
  if (m.kind === 'test') return '<p>This is a test message from <b>ChatOps</b>: the channel works.</p>';
  const rows = m.alerts.map((a) => {
    const href = link(m, a);
    const text = esc(line(a, m.kind));
    return `<tr><td>${esc(a.severity)}</td><td>${esc(serverLabel(a))}</td><td>${href ? `<a href="${esc(href)}">${text}</a>` : text}</td><td>${esc(a.startedAt)}</td></tr>`;
  });
  return `<h2>${esc(title(m))}</h2><table border="1" cellpadding="4" cellspacing="0">`
    + `<tr><th>Severity</th><th>Server</th><th>Alert</th><th>Started</th></tr>${rows.join('')}</table>`;
}

/** Slack Block Kit (also accepted by Mattermost and Rocket.Chat incoming webhooks through `text`). */
export function slackMessage(m: Message): { text: string; blocks: unknown[] } {
  const text = title(m);
  if (m.kind === 'test') {
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'This is a test message from *ChatOps*: the channel works.' } }] };
  }
  const shown = m.alerts.slice(0, SLACK_MAX_LINES).map((a) => {
    const href = link(m, a);
    const body = line(a, m.kind).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
    return `• ${href ? `<${href}|${body}>` : body}`;
  });
  if (m.alerts.length > SLACK_MAX_LINES) shown.push(`…and ${m.alerts.length - SLACK_MAX_LINES} more`);
  const a = m.alerts[0];
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: text.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: shown.join('\n').slice(0, 3000) } },
      { type: 'section', fields: [
        { type: 'mrkdwn', text: `*Severity*\n${severityOf(m)}` },
        { type: 'mrkdwn', text: `*Metric*\n${metricLabel(a.metricType)}` },
        { type: 'mrkdwn', text: `*Servers*\n${new Set(m.alerts.map((x) => x.serverId)).size}` },
        { type: 'mrkdwn', text: `*Started*\n${a.startedAt}` },
      ] },
      ...(m.kind === 'fired' || m.kind === 'acknowledged' ? [alertButtons(m)] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `ChatOps · delivery ${m.deliveryId}` }] },
    ],
  };
}

/** Alerts a Slack message offers buttons for (Block Kit allows 25 elements per actions block). */
const SLACK_MAX_ALERT_BUTTONS = 5;

/**
 * Ack (while firing) and Resolve buttons: their value is the ChatOps command, run through the
 * interactivity endpoint as the presser's linked account (docs/chatops.md#slash-commands-and-buttons),
 * so they work for linked users allowed to see the alert and nobody else.
 */
function alertButtons(m: Message) {
  const alerts = m.alerts.slice(0, SLACK_MAX_ALERT_BUTTONS);
  const suffix = (a: NotifiedAlert) => (alerts.length > 1 ? ` ${a.id.slice(0, 8)}` : '');
  const elements = alerts.flatMap((a) => [
    ...(m.kind === 'fired' ? [{ type: 'button', action_id: `${SLACK_ACTION_PREFIX}ack.${a.id}`, text: { type: 'plain_text', text: `Ack${suffix(a)}` }, value: `ack ${a.id}`, style: 'primary' }] : []),
    { type: 'button', action_id: `${SLACK_ACTION_PREFIX}resolve.${a.id}`, text: { type: 'plain_text', text: `Resolve${suffix(a)}` }, value: `resolve ${a.id}` },
  ]);
  return { type: 'actions', elements };
}

export function webhookPayload(m: Message, sentAt: string): WebhookPayload {
  return {
    type: m.kind === 'test' ? 'test' : `alert.${m.kind}`,
    deliveryId: m.deliveryId,
    sentAt,
    grouped: m.alerts.length > 1,
    alerts: m.alerts,
    text: title(m),
  };
}
