import { describe, expect, it } from 'vitest';
import { renderReportCharts } from '../../src/report/charts.js';
import { renderChartsInWorker } from '../../src/report/charts-in-worker.js';
import { november } from './chart-data.js';

/* The charts drawn in a worker thread (the built one in dist/, as the bot runs it). */

const options = { locale: 'fr' as const, timeZone: 'Europe/Paris' };

describe('charts in a worker thread', () => {
  it('are the same PNGs as drawn in the process', async () => {
    const [inWorker, here] = await Promise.all([
      renderChartsInWorker(november(), options),
      renderReportCharts(november(), options),
    ]);
    expect(inWorker.map((c) => [c.fileName, c.title])).toEqual(here.map((c) => [c.fileName, c.title]));
    for (const [i, chart] of inWorker.entries())
      expect(Buffer.from(chart.png).equals(Buffer.from(here[i]?.png ?? []))).toBe(true);
  });

  it('a worker past its time is stopped and says so', async () => {
    await expect(renderChartsInWorker(november(), options, 1)).rejects.toThrow(
      'drawing the charts took longer than 0.001 s',
    );
  });

  it('a worker that fails reports its error', async () => {
    const broken = { ...november(), month: 'not a month' };
    await expect(renderChartsInWorker(broken, options)).rejects.toThrow(/month/);
  });
});
