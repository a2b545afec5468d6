// Preloaded (`node --import`) into both processes bench:idle measures: on SIGUSR2, writes the
// process's memoryUsage() as JSON to $BENCH_HEAP_FILE. Tiny, and the same in both, so the RSS
// ratio stays fair; read after VmRSS, so answering it never counts.
import { writeFileSync } from 'node:fs';

process.on('SIGUSR2', () => writeFileSync(process.env.BENCH_HEAP_FILE, JSON.stringify(process.memoryUsage())));
