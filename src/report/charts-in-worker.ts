import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MonthlyReportData, ReportChart } from '../core/ports/report.js';
import { projectRoot } from '../paths.js';
import type { ChartOptions } from './charts.js';

/** Longer than a report's charts take on a loaded Raspberry Pi; a worker past it is stopped. */
const CHART_TIMEOUT_MS = 120_000;

/**
 * Draws the report's charts in a worker thread that ends afterwards. Loaded in the bot itself,
 * vega, vega-lite and resvg would keep some 70 MiB for the rest of its life, for a job that
 * runs once a month; in a worker, that memory goes with it.
 */
export function renderChartsInWorker(
  data: MonthlyReportData,
  options: ChartOptions,
  timeoutMs = CHART_TIMEOUT_MS,
): Promise<ReportChart[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile(), { workerData: { data, options } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`drawing the charts took longer than ${timeoutMs / 1000} s`));
    }, timeoutMs);
    worker.once('message', (charts: ReportChart[]) => {
      clearTimeout(timer);
      resolve(charts);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      // After a message this changes nothing; without one the worker died before answering.
      reject(new Error(`the chart worker stopped (exit code ${code}) before drawing the charts`));
    });
  });
}

/** The built worker: next to this file in dist/; under the test runner (TypeScript sources), dist's. */
function workerFile(): string {
  const sibling = fileURLToPath(new URL('./chart-worker.js', import.meta.url));
  return existsSync(sibling) ? sibling : join(projectRoot(), 'dist/src/report/chart-worker.js');
}
