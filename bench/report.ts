/** The bench's outputs: the console table, latest.md and a small hand-written SVG chart. */

export interface Side {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface ScenarioRow {
  id: string;
  label: string;
  atrium: Side;
  baseline: Side;
  ratio: number;
  /** Database round trips per Atrium request, counted in the API (BEGIN and COMMIT included). */
  queriesPerRequest?: number;
  target: string;
  pass: boolean | null;
}

export interface GrowthPoint {
  tasks: number;
  atriumP50Ms: number;
  baselineP50Ms: number;
}

export interface Check {
  name: string;
  figure: string;
  target: string;
  pass: boolean;
}

export interface Report {
  date: string;
  mode: 'full' | 'smoke';
  durationS: number;
  connections: number;
  machine: { cpus: number; load: number[]; node: string };
  scenarios: ScenarioRow[];
  growth: GrowthPoint[];
  checks: Check[];
  notes: string[];
  elapsedS?: number;
}

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '—');
const verdict = (p: boolean | null) => (p === null ? '—' : p ? 'pass' : 'FAIL');

export function tableRows(r: Report): string[][] {
  const head = [
    'scenario',
    'Atrium req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'queries',
    'floor req/s',
    'p50 ms',
    'p99 ms',
    'ratio',
    'target',
    'result',
  ];
  const rows = r.scenarios.map((s) => [
    s.label,
    f0(s.atrium.rps),
    f1(s.atrium.p50Ms),
    f1(s.atrium.p99Ms),
    String(s.atrium.errors),
    s.queriesPerRequest === undefined ? '—' : s.queriesPerRequest.toFixed(1),
    f0(s.baseline.rps),
    f1(s.baseline.p50Ms),
    f1(s.baseline.p99Ms),
    Number.isFinite(s.ratio) ? s.ratio.toFixed(2) : '—',
    s.target,
    verdict(s.pass),
  ]);
  return [head, ...rows];
}

export function consoleTable(r: Report): string {
  const rows = tableRows(r);
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const out = [line(rows[0] as string[]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  out.push('', 'Other targets:');
  for (const c of r.checks) out.push(`  ${c.pass ? 'pass' : 'FAIL'}  ${c.name}: ${c.figure} (target ${c.target})`);
  if (r.growth.length) {
    out.push('', 'Growth (list p50 on the big tenant, 10 connections):');
    for (const g of r.growth)
      out.push(`  ${f0(g.tasks).padStart(10)} tasks  Atrium ${f1(g.atriumP50Ms)} ms  floor ${f1(g.baselineP50Ms)} ms`);
  }
  return out.join('\n');
}

export function markdown(r: Report): string {
  const rows = tableRows(r);
  const md = (row: string[]) => `| ${row.join(' | ')} |`;
  return [
    `# Benchmark: ${r.date}${r.mode === 'smoke' ? ' (smoke)' : ''}`,
    '',
    `Mode ${r.mode}; wrk, 1 thread, ${r.connections} connections, ${r.durationS} s per run, runs alternate Atrium, floor, Atrium, floor after a warm-up; ` +
      `figures are the mean of the two runs of each side. Machine: ${r.machine.cpus} CPUs shared by the API, PostgreSQL and the load generator ` +
      `(load average at start ${r.machine.load.map((l) => l.toFixed(2)).join(' / ')}), Node ${r.machine.node}` +
      (r.elapsedS ? `; the whole run took ${Math.round(r.elapsedS)} s.` : '.'),
    '',
    md(rows[0] as string[]),
    md((rows[0] as string[]).map(() => '---')),
    ...rows.slice(1).map(md),
    '',
    '| target | figure | required | result |',
    '| --- | --- | --- | --- |',
    ...r.checks.map((c) => `| ${c.name} | ${c.figure} | ${c.target} | ${c.pass ? 'pass' : 'FAIL'} |`),
    '',
    '| tasks in the database | Atrium list p50 (ms) | floor list p50 (ms) |',
    '| --- | --- | --- |',
    ...r.growth.map((g) => `| ${f0(g.tasks)} | ${f1(g.atriumP50Ms)} | ${f1(g.baselineP50Ms)} |`),
    '',
    ...r.notes.map((n) => `- ${n}`),
    '',
    '![ratios and growth](chart.svg)',
    '',
  ].join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Two panels: Atrium/floor req/s ratio per scenario (with its target), and list p50 against data size. */
export function svgChart(r: Report): string {
  const W = 760;
  const H = 340;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title>Atrium benchmark ${esc(r.date)}: throughput ratio to the floor per scenario, list p50 against tasks in the database</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">Atrium / floor throughput ratio</text>`,
    `<text x="420" y="18" font-size="13" font-weight="bold">List p50 vs tasks in the database</text>`,
  ];
  // Left panel: horizontal bars, 0…1.2.
  const x0 = 110;
  const bw = 260;
  const scale = (v: number) => x0 + (Math.min(v, 1.2) / 1.2) * bw;
  r.scenarios.forEach((s, i) => {
    const y = 36 + i * 40;
    const ratio = Number.isFinite(s.ratio) ? s.ratio : 0;
    out.push(`<text x="${x0 - 6}" y="${y + 15}" text-anchor="end">${esc(s.label)}</text>`);
    out.push(
      `<rect x="${x0}" y="${y}" width="${(scale(ratio) - x0).toFixed(1)}" height="22" fill="${s.pass === false ? '#dc2626' : '#4f46e5'}"/>`,
    );
    out.push(`<text x="${(scale(ratio) + 4).toFixed(1)}" y="${y + 15}">${ratio.toFixed(2)}</text>`);
    const t = /≥ ?([0-9.]+)/.exec(s.target);
    if (t) {
      const tx = scale(Number(t[1])).toFixed(1);
      out.push(`<line x1="${tx}" y1="${y - 3}" x2="${tx}" y2="${y + 25}" stroke="#111" stroke-dasharray="3,2"/>`);
    }
  });
  const axisY = 36 + r.scenarios.length * 40;
  out.push(`<line x1="${x0}" y1="${axisY}" x2="${x0 + bw}" y2="${axisY}" stroke="#999"/>`);
  for (const v of [0, 0.5, 1]) out.push(`<text x="${scale(v)}" y="${axisY + 13}" text-anchor="middle">${v}</text>`);
  out.push(`<text x="${x0}" y="${axisY + 28}" fill="#555">dashed: target</text>`);

  // Right panel: p50 (ms) against log10(tasks).
  const px0 = 450;
  const pw = 280;
  const py0 = 40;
  const ph = 200;
  const g = r.growth;
  if (g.length > 0) {
    const maxMs = Math.max(1, ...g.map((p) => Math.max(p.atriumP50Ms, p.baselineP50Ms))) * 1.15;
    const lx = g.map((p) => Math.log10(Math.max(1, p.tasks)));
    const lmin = Math.min(...lx);
    const lmax = Math.max(...lx);
    const X = (t: number) => px0 + (lmax > lmin ? ((Math.log10(Math.max(1, t)) - lmin) / (lmax - lmin)) * pw : pw / 2);
    const Y = (ms: number) => py0 + ph - (ms / maxMs) * ph;
    out.push(`<line x1="${px0}" y1="${py0 + ph}" x2="${px0 + pw}" y2="${py0 + ph}" stroke="#999"/>`);
    out.push(`<line x1="${px0}" y1="${py0}" x2="${px0}" y2="${py0 + ph}" stroke="#999"/>`);
    out.push(`<text x="${px0 - 4}" y="${py0 + 4}" text-anchor="end">${maxMs.toFixed(1)}</text>`);
    out.push(`<text x="${px0 - 4}" y="${py0 + ph}" text-anchor="end">0 ms</text>`);
    for (const [key, color, name] of [
      ['atriumP50Ms', '#4f46e5', 'Atrium'],
      ['baselineP50Ms', '#16a34a', 'floor'],
    ] as const) {
      const pts = g.map((p) => `${X(p.tasks).toFixed(1)},${Y(p[key]).toFixed(1)}`).join(' ');
      out.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`);
      for (const p of g) out.push(`<circle cx="${X(p.tasks).toFixed(1)}" cy="${Y(p[key]).toFixed(1)}" r="3" fill="${color}"/>`);
      out.push(
        `<text x="${px0 + 10}" y="${key === 'atriumP50Ms' ? py0 + ph + 34 : py0 + ph + 48}" fill="${color}">${name} p50: ${g.map((p) => p[key].toFixed(1)).join(' / ')} ms</text>`,
      );
    }
    for (const p of g)
      out.push(
        `<text x="${X(p.tasks).toFixed(1)}" y="${py0 + ph + 14}" text-anchor="middle">${Math.round(p.tasks).toLocaleString('en-US')}</text>`,
      );
  }
  out.push(
    `<text x="10" y="${H - 8}" fill="#555">${esc(`${r.date} · ${r.mode} · ${r.connections} connections · ${r.durationS} s runs`)}</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
