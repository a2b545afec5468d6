import { parentPort, workerData } from 'node:worker_threads';
import type { MonthlyReportData } from '../core/ports/report.js';
import type { ChartOptions } from './charts.js';
import { renderReportCharts } from './charts.js';

/*
 * Runs in a worker thread (see charts-in-worker.ts): draws one report's charts and hands the
 * PNGs back. vega, vega-lite and resvg live and die with the worker.
 */
const { data, options } = workerData as { data: MonthlyReportData; options: ChartOptions };
parentPort?.postMessage(await renderReportCharts(data, options));
