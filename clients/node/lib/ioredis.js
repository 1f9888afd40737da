'use strict';
// Adapter for ioredis (any major): the generic call is redis.call.

/** adapter builds the suite adapter for one ioredis module. */
function adapter(name, mod) {
  const Redis = mod.default || mod;
  const connect = async (opts) => {
    const c = new Redis({
      host: opts.host,
      port: opts.port,
      password: opts.password,
      protocol: opts.protocol,
      replyMapping: opts.replyMapping,
      connectionName: opts.name,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      disconnectTimeout: 200,
    });
    const errors = [];
    c.on('error', (e) => errors.push(e));
    try {
      await c.connect();
    } catch (e) {
      if (c.status !== 'end') c.disconnect();
      throw errors.find((x) => x instanceof mod.ReplyError) || e;
    }
    return c;
  };
  return {
    name,
    errorClass: mod.ReplyError,
    connect,
    cmd: (c, ...args) => c.call(...args),
    pipeline: async (c, cmds) => {
      const p = c.pipeline();
      for (const args of cmds) p.call(...args);
      return (await p.exec()).map(([err, v]) => {
        if (err) throw err;
        return v;
      });
    },
    subscribe: async (c, channel, onMessage) => {
      c.on('message', (ch, msg) => onMessage(msg, ch));
      await c.subscribe(channel);
    },
    native: {
      get: (c, k) => c.get(k),
      smembers: (c, k) => c.smembers(k),
      sadd: (c, k, ...m) => c.sadd(k, ...m),
      sunionstore: (c, d, ...k) => c.sunionstore(d, ...k),
      expire: (c, k, s) => c.expire(k, s),
      ttl: (c, k) => c.ttl(k),
      sinter: (c, ...k) => c.sinter(...k),
      del: (c, ...k) => c.del(...k),
      sismember: (c, k, m) => c.sismember(k, m),
      info: (c, section) => c.info(section),
      setname: (c, n) => c.client('SETNAME', n),
      getname: (c) => c.client('GETNAME'),
      scan: (c, match) => new Promise((resolve, reject) => {
        const keys = [];
        c.scanStream({ match, count: 500 })
          .on('data', (batch) => keys.push(...batch))
          .on('error', reject)
          .on('end', () => resolve(keys));
      }),
    },
    close: async (c) => {
      if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
      else c.disconnect();
    },
  };
}

module.exports = { adapter };
