/** "Firefox on Linux", "Safari on iOS", "curl"... from a User-Agent header; "Unknown device" when there is none. */
export function describeUserAgent(ua: string | null | undefined): string {
  if (!ua?.trim()) return 'Unknown device';
  const browser =
    /Edg\//.test(ua) ? 'Edge'
    : /OPR\//.test(ua) ? 'Opera'
    : /Firefox\//.test(ua) ? 'Firefox'
    : /(Chrome|Chromium|CriOS)\//.test(ua) ? 'Chrome'
    : /Safari\//.test(ua) && /Version\//.test(ua) ? 'Safari'
    : null;
  const os =
    /iPhone|iPad|iPod/.test(ua) ? 'iOS'
    : /Android/.test(ua) ? 'Android'
    : /Windows/.test(ua) ? 'Windows'
    : /Mac OS X|Macintosh/.test(ua) ? 'macOS'
    : /CrOS/.test(ua) ? 'ChromeOS'
    : /Linux/.test(ua) ? 'Linux'
    : null;
  if (browser) return os ? `${browser} on ${os}` : browser;
  // A script or tool: its product name ("curl/8.5.0" → "curl").
  const product = /^([A-Za-z][\w.-]{0,40})\//.exec(ua)?.[1];
  return product ?? ua.slice(0, 60);
}
