import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings of the API process, applied before anything else is loaded (first import of
 * `main.ts`; the API latency benchmark's server loads it the same way).
 *
 * `--no-allocation-site-pretenuring`: V8 watches which code allocates objects that survive a
 * young-generation collection and, past a threshold, allocates that code's objects straight in
 * the old generation. Serving lists, it takes the query rows and the views built from them (most
 * of what a request allocates, all dead once the answer is sent) for long-lived: measured on a
 * bare pg + node:http server answering 20 checks at 200 req/s, 155 KB of every request's objects
 * reached the old generation with it and 25 KB without; the old generation then filled in seconds
 * and each full collection (concurrent marking on a 2-core machine) stalled the requests in
 * flight for tens of milliseconds. docs/benchmarks.md, "API latency", has the figures.
 */
setFlagsFromString('--no-allocation-site-pretenuring');
