/**
 * The chaos summary: each scenario file records its row (cases, failures, figures) in a folder the
 * global setup made; the global teardown prints one table and writes it into docs/reliability.md
 * between the `<!-- chaos:start -->` and `<!-- chaos:end -->` markers (only that section).
 */
import fs from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    chaosResultsDir: string;
  }
}

export interface ScenarioRow {
  order: number;
  scenario: string;
  cases: number;
  failures: number;
  /** Figure name → value as shown (e.g. "acknowledged writes": 150). */
  figures: Record<string, string | number>;
}

/** Tracks a scenario's cases: `check` counts one case and whether it held. */
export class Scenario {
  readonly row: ScenarioRow;
  constructor(order: number, scenario: string) {
    this.row = { order, scenario, cases: 0, failures: 0, figures: {} };
  }

  figure(name: string, value: string | number): void {
    this.row.figures[name] = value;
  }

  /** Runs an assertion block as one case; a failure is counted, then rethrown for Vitest. */
  async check(fn: () => void | Promise<void>): Promise<void> {
    this.row.cases += 1;
    try {
      await fn();
    } catch (err) {
      this.row.failures += 1;
      throw err;
    }
  }

  /** Writes the row; a scenario whose set-up failed before any case ran counts as one failed case. */
  save(): void {
    if (this.row.cases === 0 && !this.row.figures.skipped) {
      this.row.cases = 1;
      this.row.failures = 1;
      this.row.figures['set-up'] = 'failed';
    }
    const dir = inject('chaosResultsDir');
    fs.writeFileSync(path.join(dir, `${this.row.order}.json`), JSON.stringify(this.row));
  }
}
