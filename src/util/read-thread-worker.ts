/**
 * The worker thread of read-thread.ts: waits for the list of files, reads them and posts the results. Its own
 * file, so that nothing else of the package runs in the thread.
 */
import { parentPort } from 'node:worker_threads';
import { type Start, work } from './read-thread';

const port = parentPort;
if (port)
  port.once('message', (start: Start) => work(start, (batch, transfer) => port.postMessage(batch, transfer)));
