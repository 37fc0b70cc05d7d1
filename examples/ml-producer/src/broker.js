// A minimal broker on 127.0.0.1 (HTTP: POST /publish/<queue>, POST /consume/<queue>), standing in
// for RabbitMQ or Redis: the producer and the consumers talk to it only through `BrokerClient`, so
// a real broker client (and its messaging metrics, which come with the queue issue) plugs in
// there without touching the rest.
import { createServer, request } from 'node:http';

/** Starts the broker; resolves with its URL and a depth reader per queue. */
export function startBroker() {
  const queues = new Map();
  const queue = (name) => queues.get(name) ?? queues.set(name, []).get(name);
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const [, action, name] = req.url.split('/');
      if (action === 'publish') {
        queue(name).push(body);
        res.writeHead(202).end();
      } else if (action === 'consume') {
        const message = queue(name).shift();
        if (message === undefined) res.writeHead(204).end();
        else res.writeHead(200, { 'content-type': 'application/json' }).end(message);
      } else res.writeHead(404).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}`, depth: (name) => queue(name).length, server }),
    ),
  );
}

/** What producers and consumers use to reach the broker. */
export class BrokerClient {
  constructor(url) {
    this.url = url;
  }
  /** Publishes one message (JSON) to a queue. */
  publish(queue, message) {
    return this.#post(`/publish/${queue}`, JSON.stringify(message)).then(() => undefined);
  }
  /** Takes the next message of a queue, or undefined when it is empty. */
  async consume(queue) {
    const { status, body } = await this.#post(`/consume/${queue}`, '');
    return status === 200 ? JSON.parse(body) : undefined;
  }
  #post(path, body) {
    return new Promise((resolve, reject) => {
      const req = request(`${this.url}${path}`, { method: 'POST', agent: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
