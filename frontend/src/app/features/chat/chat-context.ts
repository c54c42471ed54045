/** A server page's URL: `/servers/<uuid>` and its tabs (not `/servers/new`). */
const SERVER_URL = /^\/servers\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[/?#]|$)/i;

/** The server a router URL is about (the chat drawer's context), or null. */
export function serverIdFromUrl(url: string): string | null {
  return SERVER_URL.exec(url)?.[1] ?? null;
}
