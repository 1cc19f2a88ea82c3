/**
 * The canary report as one self-contained HTML page: the SVG chart inline and the text report
 * beneath it, with inline styles only. No script, no external stylesheet, font or image; a
 * Content-Security-Policy that forbids loading anything makes that hold in the browser too, so the
 * page can be mailed, attached to a ticket or archived as it is.
 */
import type { CanaryStatus } from './canary-status.js';
import { formatUtc } from './format.js';
import { escapeMarkup } from './report-markup.js';
import { renderCanarySvg } from './report-svg.js';
import { canarySubtitle } from './report-svg-frame.js';
import { renderCanaryReport } from './report-text.js';

const STYLE = [
  'body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1a1a1a;background:#fff;margin:24px auto;max-width:1000px;padding:0 16px}',
  'h1{font-size:20px;margin:0 0 4px}',
  'h2{font-size:16px;margin:24px 0 8px}',
  'p{margin:4px 0;color:#444}',
  'figure{margin:16px 0}',
  'figure svg{max-width:100%;height:auto;border:1px solid #ddd}',
  'pre{font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f6f6;border:1px solid #ddd;padding:12px;overflow-x:auto;white-space:pre}',
].join('\n');

/** Renders a status as a self-contained HTML page (chart and text report); `now` dates the "ago" times. */
export function renderCanaryHtml(status: CanaryStatus, now: number = status.now): string {
  const heading = `Canary "${status.route}": ${status.baseline} → ${status.candidate}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeMarkup(heading)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeMarkup(heading)}</h1>`,
    `<p>${escapeMarkup(canarySubtitle(status))}</p>`,
    `<p>Rollout ${escapeMarkup(status.rollout)} · report made ${escapeMarkup(formatUtc(status.now, 'second'))} UTC</p>`,
    `<figure>\n${renderCanarySvg(status).trimEnd()}\n</figure>`,
    '<h2>Report</h2>',
    `<pre>${escapeMarkup(renderCanaryReport(status, now).trimEnd())}</pre>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
