// The prom-client set-up of the start-up benchmark, as a service would write it by hand: the
// default metrics and an unref'd /metrics server.
import { createServer } from 'node:http';
import promClient from 'prom-client';

promClient.collectDefaultMetrics();
const server = createServer(async (_req, res) => {
  res.setHeader('content-type', promClient.register.contentType);
  res.end(await promClient.register.metrics());
});
server.listen(0, '127.0.0.1');
server.unref();
