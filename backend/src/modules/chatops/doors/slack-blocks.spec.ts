import type { ChatReply } from '@chatops/protocol';
import { escapeMrkdwn, tableText, toSlackMessage, toSlackMessages, unescapeSlack } from './slack-blocks';
import { toMattermostResponse, toMattermostResponses } from './mattermost-attachments';

describe('Block Kit renderer', () => {
  it('renders a card: header, text, short fields side by side, long fields, table, actions as buttons', () => {
    const reply: ChatReply = {
      title: 'Containers on web-1',
      text: 'Two running <b>',
      fields: [{ label: 'Running', value: '2', short: true }, { label: 'Total', value: '3', short: true }, { label: 'Note', value: 'a & b' }],
      table: { columns: ['Name', 'State'], rows: [['api', 'running'], ['db', 'exited']], omitted: 4 },
      actions: [{ label: 'Restart api', command: 'docker restart api on web-1', style: 'danger' }, { label: 'Logs', command: 'logs api on web-1', style: 'default' }],
    };
    const m = toSlackMessage(reply);
    expect(m.response_type).toBe('ephemeral');
    expect(m.text).toBe('Containers on web-1');
    expect(m.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Containers on web-1' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'Two running &lt;b&gt;' } },
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*Running*\n2' }, { type: 'mrkdwn', text: '*Total*\n3' }] },
      { type: 'section', text: { type: 'mrkdwn', text: '*Note*\na &amp; b' } },
      { type: 'section', text: { type: 'mrkdwn', text: '```Name  State\napi   running\ndb    exited```' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '4 more rows not shown' }] },
      { type: 'actions', elements: [
        { type: 'button', action_id: 'chatops.0', text: { type: 'plain_text', text: 'Restart api' }, value: 'docker restart api on web-1', style: 'danger' },
        { type: 'button', action_id: 'chatops.1', text: { type: 'plain_text', text: 'Logs' }, value: 'logs api on web-1' },
      ] },
    ]);
  });

  it('shows an error with its code and suggestions, and the confirm token as a fallback', () => {
    const err = toSlackMessage({ title: 'Not understood', error: { code: 'server.not_found', message: "no server 'web1'", suggestions: ['web-1'] } });
    expect(err.text).toBe("Not understood: no server 'web1'");
    expect(err.blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: ":warning: no server 'web1'\nDid you mean: `web-1`?" } });
    expect(err.blocks[2]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '`server.not_found`' }] });
    const confirm = toSlackMessage({ title: 'Confirm: run web-1 -- id', confirm: { token: 'tok', command: 'run web-1 -- id', expiresAt: '2026-01-01T00:00:00.000Z' }, actions: [{ label: 'Confirm', command: 'confirm tok', style: 'danger' }] });
    expect(JSON.stringify(confirm.blocks)).toContain('`confirm tok`');
  });

  it('keeps output monospaced and within Block Kit limits (the tail of long output kept)', () => {
    const out = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n');
    const m = toSlackMessage({ title: 'x'.repeat(400), text: out, monospace: true, fields: Array.from({ length: 25 }, (_, i) => ({ label: `f${i}`, value: 'v', short: true })) });
    const header = m.blocks[0] as { text: { text: string } };
    expect(header.text.text).toHaveLength(150);
    const text = (m.blocks[1] as { text: { text: string } }).text.text;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text.startsWith('```…')).toBe(true);
    expect(text.endsWith('line 1999```')).toBe(true);
    const fieldSections = m.blocks.filter((b) => b.type === 'section' && 'fields' in b && b.fields);
    expect(fieldSections.map((b) => (b as { fields: unknown[] }).fields.length)).toEqual([10, 10, 5]);
    expect(m.blocks.length).toBeLessThanOrEqual(50);
  });

  it('escapes and unescapes Slack control characters, and aligns tables', () => {
    expect(escapeMrkdwn('<@U1> & <!channel>')).toBe('&lt;@U1&gt; &amp; &lt;!channel&gt;');
    expect(unescapeSlack('run web-1 -- echo a &gt; b &amp;&amp; cat &lt; c')).toBe('run web-1 -- echo a > b && cat < c');
    expect(tableText({ columns: ['A', 'Long column'], rows: [['xyz', '1']] })).toBe('A    Long column\nxyz  1');
  });

  it('renders the same card as Mattermost message attachments', () => {
    const r = toMattermostResponse({ title: 'Alert acknowledged', fields: [{ label: 'Severity', value: 'critical', short: true }], actions: [{ label: 'Resolve', command: 'resolve abc', style: 'primary' }] });
    expect(r).toEqual({
      response_type: 'ephemeral', text: '',
      attachments: [{ fallback: 'Alert acknowledged', color: '#3a7bd5', title: 'Alert acknowledged', text: '• Resolve: `resolve abc`', fields: [{ title: 'Severity', value: 'critical', short: true }] }],
    });
    expect(toMattermostResponse({ title: 'x', error: { code: 'c', message: 'm' } }).attachments[0]).toMatchObject({ color: '#d24b4e', footer: 'c', text: ':warning: m' });
  });

  it('posts long output as several messages, in order, nothing lost within the five posts, each within a section', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${String(i).padStart(3, '0')} <&>`);
    const reply: ChatReply = { title: 'seq on web-1: completed (exit 0)', text: lines.join('\n'), monospace: true, fields: [{ label: 'Status', value: 'completed', short: true }] };
    const short = toSlackMessages({ ...reply, text: 'ok' });
    expect(short).toEqual([toSlackMessage({ ...reply, text: 'ok' })]);
    const msgs = toSlackMessages(reply);
    expect(msgs.length).toBeGreaterThan(1);
    expect(msgs.length).toBeLessThanOrEqual(5);
    expect(msgs[0].blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: reply.title } });
    expect(JSON.stringify(msgs[0].blocks)).toContain(`Output 1/${msgs.length}`);
    const outputs = msgs.map((m) => m.blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('```')) as { text: { text: string } });
    for (const o of outputs) expect(o.text.text.length).toBeLessThanOrEqual(3000);
    const shown = outputs.map((o) => unescapeSlack(o.text.text.slice(3, -3))).join('');
    expect(shown).toBe(reply.text);
    expect(msgs[1].blocks[0]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: `Output 2/${msgs.length}: ${reply.title}` }] });

    const mm = toMattermostResponses({ ...reply, text: lines.concat(lines).join('\n') });
    expect(mm).toHaveLength(2);
    expect(mm[0].attachments[0].footer).toBe('output 1/2: continued in the next messages');
    expect(mm.map((m) => m.attachments[0].text!.replace(/^```\n|\n```$/g, '')).join('')).toBe(lines.concat(lines).join('\n'));
  });
});
