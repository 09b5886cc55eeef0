/** Notification bodies: the generic JSON document and a Slack-compatible message. */
import type { DecisionEvent, WebhookConfig, WebhookEventKind } from '@understudy/core';

export interface Notification {
  kind: WebhookEventKind;
  dedupeKey: string;
  event: DecisionEvent;
  summary: string;
  /** Epoch ms when the notification was first queued (the same on every retry). */
  sentAt: number;
}

const TITLE: Record<WebhookEventKind, string> = {
  failover: 'Failover',
  failback: 'Failback',
  'all-down': 'All answers down',
  'guard-hold': 'Mass-failure guard holding',
  'region-stale': 'Region stale',
  'sync-failed': 'Sync failed',
  'cert-expiring': 'Certificate expiring',
};

export function summarize(kind: WebhookEventKind, e: DecisionEvent): string {
  return `${TITLE[kind]}: ${e.message}`;
}

/** Slack treats &, < and > as markup in mrkdwn text. */
function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slackBody(n: Notification): object {
  const e = n.event;
  return {
    text: n.summary,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${TITLE[n.kind]}* (${e.severity})\n${slackEscape(e.message)}` },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: slackEscape(`${new Date(e.at).toISOString()} · event ${e.seq} · ${n.dedupeKey}`),
          },
        ],
      },
    ],
  };
}

/** The raw body to send (and sign) for a webhook's format. */
export function renderBody(format: WebhookConfig['format'], n: Notification): string {
  return JSON.stringify(format === 'slack' ? slackBody(n) : n);
}
