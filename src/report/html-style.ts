// The stylesheet of the HTML report (a plain template). One <style> element and
// no style attributes, so the page's Content-Security-Policy can allow exactly
// this text by its hash. The axis's month widths are the only per-report part.

export interface AxisGeometry {
  /** Each month's share of the timeline axis (months differ in length). */
  monthShares: readonly number[];
  /** Where today's line and the end of the warning window sit, 0..1. */
  today: number;
  warningEnd: number;
}

/**
 * Month lines, the warning window and today's line are one background of every row's
 * track, drawn from these percentages, so they run unbroken down the whole timeline
 * however tall a row grows; each row's SVG draws its bar only.
 */
export function reportStylesheet(axis: AxisGeometry): string {
  const columns = axis.monthShares.map((share) => `${(share * 1000).toFixed(2)}fr`).join(' ');
  const pct = (fraction: number) => `${(fraction * 100).toFixed(3)}%`;
  const boundaries: string[] = [];
  let sum = 0;
  for (const share of axis.monthShares.slice(0, -1)) {
    sum += share;
    boundaries.push(`transparent ${pct(sum)},var(--grid) ${pct(sum)},var(--grid) calc(${pct(sum)} + 1px),transparent calc(${pct(sum)} + 1px)`);
  }
  const today = pct(axis.today);
  const trackBackground = [
    `linear-gradient(90deg,transparent calc(${today} - 1px),var(--today) calc(${today} - 1px),var(--today) calc(${today} + 1px),transparent calc(${today} + 1px))`,
    `linear-gradient(90deg,${boundaries.join(',')})`,
    `linear-gradient(90deg,transparent ${today},var(--band) ${today},var(--band) ${pct(axis.warningEnd)},transparent ${pct(axis.warningEnd)})`,
  ].join(',');
  return `
:root{--ink:#1f2328;--mute:#59636e;--line:#d0d7de;--soft:#eaeef2;--zebra:#f8f9fb;--ok:#1a7f37;--soon:#b35900;--bad:#cf222e;--unk:#6e7781;--band:#fdf0c4;--today:#24292f;--grid:#dfe4ea;color-scheme:light}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","DejaVu Sans",Arial,sans-serif;color:var(--ink);background:#fff}
.page{max-width:1240px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:22px;line-height:1.25;margin:0 0 4px}
h2{font-size:17px;margin:36px 0 4px}
p{margin:0}
.meta,.note{color:var(--mute)}
.note{margin:0 0 10px}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;background:var(--soft);border-radius:4px;padding:1px 5px;overflow-wrap:anywhere}
.summary{list-style:none;display:flex;flex-wrap:wrap;gap:8px;padding:0;margin:18px 0 0}
.summary li{border:1px solid var(--line);border-left:5px solid var(--unk);border-radius:6px;padding:5px 12px 5px 10px}
.summary b{font-size:18px;margin-right:5px;font-variant-numeric:tabular-nums}
.summary .s-ok{border-left-color:var(--ok)}
.summary .s-expiring{border-left-color:var(--soon)}
.summary .s-expired,.summary .s-rejected{border-left-color:var(--bad)}
.next{margin-top:12px}
.jump{display:flex;flex-wrap:wrap;gap:4px 16px;margin-top:10px;font-size:13px}
a{color:#0969da}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;list-style:none;padding:0;margin:6px 0 12px;color:var(--mute);font-size:13px}
.legend li{display:flex;align-items:center;gap:6px}
.legend svg{width:28px;height:12px;flex:none}
.badge{display:inline-block;min-width:7.2em;text-align:center;font-size:11.5px;font-weight:600;letter-spacing:.02em;text-transform:uppercase;border-radius:10px;padding:1px 7px;border:1px solid currentColor}
.b-ok{color:var(--ok)}
.b-expiring{color:#8a4500;background:#fff4d6}
.b-expired,.b-rejected{color:#fff;background:var(--bad);border-color:var(--bad)}
.b-unknown{color:var(--unk);border-style:dashed}
.timeline{border:1px solid var(--line);border-radius:8px;overflow:hidden}
.defs{position:absolute;width:0;height:0;overflow:hidden}
.rows{list-style:none;margin:0;padding:0}
.tl-row{display:grid;grid-template-columns:minmax(0,16rem) 12rem minmax(0,1fr);grid-template-areas:"who when track";column-gap:14px;align-items:center;padding:0 14px;min-height:32px;border-top:1px solid var(--soft)}
.rows .tl-row:nth-child(even){background:var(--zebra)}
.tl-head{border-top:0;background:#fff;color:var(--mute);font-size:12px;min-height:40px;align-items:end;padding-bottom:4px;border-bottom:1px solid var(--line)}
.who{grid-area:who;min-width:0;padding:5px 0;overflow-wrap:anywhere}
.who b{font-weight:600}
.who small{display:block;color:var(--mute);font-size:11.5px;line-height:1.3}
.kind{color:var(--mute);font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.03em;margin-right:6px}
.when{grid-area:when;display:flex;align-items:center;gap:10px;white-space:nowrap;font-variant-numeric:tabular-nums}
.when>span:last-child{display:flex;flex-direction:column;line-height:1.25}
.when small{color:var(--mute);font-size:11.5px}
.track{grid-area:track;position:relative;align-self:stretch;min-height:32px;background:${trackBackground}}
.track svg{position:absolute;left:0;top:50%;width:100%;height:12px;margin-top:-6px;display:block;overflow:visible}
.months{grid-area:track;display:grid;grid-template-columns:${columns};align-self:stretch;align-items:end}
.months span{border-left:1px solid var(--line);padding-left:4px;white-space:nowrap;line-height:1.2}
.months i{display:block;font-style:normal;font-weight:600;color:var(--ink);font-size:11px;min-height:13px}
.band{fill:var(--band)}
.today{stroke:var(--today);stroke-width:2}
.bar-ok{fill:var(--ok)}
.bar-expiring{fill:url(#stripes)}
.bar-expired{fill:#fff;stroke:var(--bad);stroke-width:2;stroke-dasharray:4 3}
.stub{fill:var(--bad)}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th{text-align:left;font-size:12px;font-weight:600;color:var(--mute);text-transform:uppercase;letter-spacing:.03em;border-bottom:1px solid var(--line);padding:6px 10px}
td{border-bottom:1px solid var(--soft);padding:6px 10px;vertical-align:top}
tbody tr:nth-child(even){background:var(--zebra)}
td small{display:block;color:var(--mute);font-size:12px}
td.name{font-weight:600;overflow-wrap:anywhere}
td time{white-space:nowrap}
footer{margin-top:36px;color:var(--mute);font-size:12px;border-top:1px solid var(--soft);padding-top:10px}
@media (max-width:760px){
.page{padding:16px 12px 36px}
h1{font-size:19px}
.tl-row{grid-template-columns:minmax(0,1fr) auto;grid-template-areas:"who when" "track track";padding:4px 10px 0;column-gap:8px}
.tl-head{grid-template-areas:"track track";min-height:36px}
.tl-head .who,.tl-head .when{display:none}
.who{padding:2px 0 0}
.when{flex-direction:column;align-items:flex-end;gap:0}
.track{min-height:18px;margin:2px 0 6px}
.track svg{height:10px;margin-top:-5px}
.months span:nth-child(even) b{visibility:hidden}
table,thead,tbody{display:block}
thead{display:none}
tbody tr{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:6px 14px;border:1px solid var(--line);border-radius:8px;margin:0 0 8px;padding:8px 12px}
tbody tr:nth-child(even){background:#fff}
td{display:block;border:0;padding:0;min-width:0}
td::before{display:block;content:attr(data-label);color:var(--mute);font-size:10.5px;font-weight:600;text-transform:uppercase;letter-spacing:.04em}
td.name{grid-column:1/-1;font-size:15px}
td.name::before,td.none{display:none}
td.wide{grid-column:1/-1}
}
@media print{.page{max-width:none}.tl-row,tbody tr{break-inside:avoid}}
`.trim();
}
