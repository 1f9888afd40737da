'use strict';
// One client-matrix suite that every Node client runs through an adapter, so
// ioredis and node-redis, RESP2 and RESP3, are held to the same checks.
//
// An adapter is { name, errorClass, connect(opts), cmd(c, ...args),
// pipeline(c, cmds), subscribe(c, channel, onMessage), native: {...}, close(c) };
// opts is { password, protocol, name }.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { randomUUID } = require('node:crypto');

const HOST = process.env.IMREDIS_HOST || '127.0.0.1';
const PORT = Number(process.env.IMREDIS_PORT || 6379);
const PASSWORD = process.env.IMREDIS_PASSWORD || 'secret';
const EVENTS = 'llm-im:events';

/** incident returns a valid incident document with a fresh v4 id. */
function incident(extra = {}) {
  return {
    id: randomUUID(),
    severity: 'P1',
    incident_type: 'Infrastructure',
    source: 'client-matrix',
    title: 'client matrix probe',
    ...extra,
  };
}

/** text turns a bulk reply (string or Buffer) into a string. */
function text(v) {
  return Buffer.isBuffer(v) ? v.toString('utf8') : v;
}

/** withTimeout rejects when p does not settle within ms. */
function withTimeout(p, ms, what) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** attempt connects with opts and runs INC.COUNT, returning the error seen. */
async function attempt(adapter, opts) {
  let client;
  let err;
  try {
    client = await withTimeout(adapter.connect(opts), 5000, 'connect');
    await withTimeout(adapter.cmd(client, 'INC.COUNT'), 5000, 'INC.COUNT');
  } catch (e) {
    err = e;
  } finally {
    if (client) await adapter.close(client).catch(() => {});
  }
  return err;
}

/**
 * run registers the whole matrix for one adapter at one protocol.
 * expect.statsMap says whether INC.STATS arrives as a JS object (a RESP3 map
 * the client maps) rather than a flat [name, n, ...] array.
 */
function run(adapter, protocol, expect = {}) {
  describe(`${adapter.name} RESP${protocol}`, { timeout: 30000 }, () => {
    let c;
    const opts = { password: PASSWORD, protocol, host: HOST, port: PORT };

    before(async () => {
      c = await withTimeout(adapter.connect(opts), 5000, 'connect with AUTH');
    });
    after(async () => {
      if (c) await adapter.close(c);
    });

    it('connects with AUTH on the requested protocol', async () => {
      assert.equal(text(await adapter.cmd(c, 'PING')), 'PONG');
      const info = text(await adapter.cmd(c, 'CLIENT', 'INFO'));
      assert.match(info, new RegExp(`\\bresp=${protocol}\\b`), info);
      assert.match(info, /\buser=default\b/, info);
    });

    it('INC.SAVE, INC.GET, INC.LIST, INC.COUNT through the generic call', async () => {
      const doc = incident({ source: `node-${randomUUID()}` });
      assert.equal(text(await adapter.cmd(c, 'INC.SAVE', JSON.stringify(doc))), doc.id);
      const got = JSON.parse(text(await adapter.cmd(c, 'INC.GET', doc.id)));
      assert.equal(got.id, doc.id);
      assert.equal(got.state, 'Detected');
      assert.equal(got.title, doc.title);
      const list = await adapter.cmd(c, 'INC.LIST', 'SOURCE', doc.source);
      assert.ok(Array.isArray(list), `INC.LIST reply ${JSON.stringify(list)}`);
      assert.deepEqual(list.map((j) => JSON.parse(text(j)).id), [doc.id]);
      assert.equal(Number(await adapter.cmd(c, 'INC.COUNT', 'SOURCE', doc.source)), 1);
      assert.equal(await adapter.cmd(c, 'INC.GET', randomUUID()), null);
    });

    it('INC.STATS has the protocol\'s shape', async () => {
      const stats = await adapter.cmd(c, 'INC.STATS');
      let total;
      if (expect.statsMap) {
        assert.ok(stats && !Array.isArray(stats) && typeof stats === 'object', `map expected, got ${JSON.stringify(stats)}`);
        total = stats.total;
      } else {
        assert.ok(Array.isArray(stats), `flat array expected, got ${JSON.stringify(stats)}`);
        assert.equal(text(stats[0]), 'total');
        total = stats[1];
      }
      assert.ok(Number(total) >= 1, `total ${total}`);
    });

    it('runs a 100-command pipeline', async () => {
      const docs = Array.from({ length: 50 }, () => incident());
      const cmds = [];
      for (const d of docs) {
        cmds.push(['INC.SAVE', JSON.stringify(d)]);
        cmds.push(['INC.GET', d.id]);
      }
      const replies = await withTimeout(adapter.pipeline(c, cmds), 10000, 'pipeline');
      assert.equal(replies.length, 100);
      docs.forEach((d, i) => {
        assert.equal(text(replies[2 * i]), d.id);
        assert.equal(JSON.parse(text(replies[2 * i + 1])).id, d.id);
      });
      const removed = await adapter.cmd(c, 'INC.DEL', ...docs.map((d) => d.id));
      assert.equal(Number(removed), 50);
    });

    it('runs the seed layout flow on the llm-im: keyspace', async () => {
      const n = adapter.native;
      const doc = incident();
      await adapter.cmd(c, 'INC.SAVE', JSON.stringify(doc));
      const key = `llm-im:incident:${doc.id}`;
      assert.equal(JSON.parse(text(await n.get(c, key))).id, doc.id);
      assert.ok((await n.smembers(c, 'llm-im:severity:P1')).map(text).includes(doc.id));
      assert.equal(Number(await n.sadd(c, 'llm-im:severity:P1', doc.id)), 0);
      const temp = `llm-im:temp:${randomUUID()}`;
      assert.ok(Number(await n.sunionstore(c, temp, 'llm-im:severity:P1', 'llm-im:severity:P2')) >= 1);
      assert.equal(Number(await n.expire(c, temp, 60)), 1);
      const ttl = Number(await n.ttl(c, temp));
      assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
      assert.ok((await n.sinter(c, temp, 'llm-im:state:Detected')).map(text).includes(doc.id));
      assert.deepEqual((await n.scan(c, key)).map(text), [key]);
      assert.equal(Number(await n.del(c, key)), 1);
      assert.equal(await n.get(c, key), null);
      assert.deepEqual(await n.scan(c, key), []);
      assert.equal(Number(await n.sismember(c, 'llm-im:incidents', doc.id)), 0);
      assert.equal(Number(await n.del(c, temp)), 1);
    });

    it('receives the change-feed message for an INC.SAVE', async () => {
      const sub = await adapter.connect({ ...opts, name: 'feed' });
      try {
        const doc = incident();
        let resolve;
        const seen = new Promise((r) => { resolve = r; });
        await adapter.subscribe(sub, EVENTS, (message, channel) => {
          const ev = JSON.parse(text(message));
          if (ev.id === doc.id) resolve({ ev, channel: text(channel) });
        });
        await adapter.cmd(c, 'INC.SAVE', JSON.stringify(doc));
        const { ev, channel } = await withTimeout(seen, 5000, 'change-feed message');
        assert.equal(channel, EVENTS);
        assert.equal(ev.op, 'saved');
        assert.equal(ev.db, 0);
        assert.equal(ev.severity, 'P1');
        assert.equal(ev.state, 'Detected');
        assert.ok(!Number.isNaN(Date.parse(ev.updated_at)), ev.updated_at);
      } finally {
        await adapter.close(sub);
      }
    });

    it('surfaces an error reply as the client\'s error type', async () => {
      await assert.rejects(adapter.cmd(c, 'INC.SAVE', '{not json'), (e) => {
        assert.ok(e instanceof adapter.errorClass, `${e && e.constructor && e.constructor.name}: ${e}`);
        assert.match(e.message, /^INVALID /);
        return true;
      });
      // The connection stays usable after the error.
      assert.equal(text(await adapter.cmd(c, 'PING')), 'PONG');
    });

    it('INFO server has redis_version', async () => {
      const info = text(await adapter.native.info(c, 'server'));
      assert.match(info, /^# Server\r?\n/);
      assert.match(info, /\r\nredis_version:7\.2\.4\r\n/);
    });

    it('CLIENT SETNAME / GETNAME', async () => {
      const name = `node-${protocol}-${process.pid}`;
      assert.equal(text(await adapter.native.setname(c, name)), 'OK');
      assert.equal(text(await adapter.native.getname(c)), name);
    });

    it('answers NOAUTH before AUTH', async () => {
      const err = await attempt(adapter, { ...opts, password: undefined });
      assert.ok(err, 'INC.COUNT without AUTH succeeded');
      assert.match(err.message, /NOAUTH/);
    });

    it('refuses a wrong password', async () => {
      const err = await attempt(adapter, { ...opts, password: 'wrong-password' });
      assert.ok(err, 'a wrong password was accepted');
      assert.match(err.message, /WRONGPASS invalid username-password pair or user is disabled\./);
    });
  });
}

module.exports = { run, incident, text, HOST, PORT, PASSWORD };
