'use strict';
// Adapter for node-redis (redis 4, 5, 6): the generic call is sendCommand.

/**
 * adapter builds the suite adapter for one node-redis module; hasResp says the
 * module takes the RESP option (5 and later: 5 defaults to 2, 6 to 3).
 */
function adapter(name, mod, hasResp = true) {
  const connect = async (opts) => {
    const options = {
      socket: { host: opts.host, port: opts.port, reconnectStrategy: false, connectTimeout: 5000 },
      password: opts.password,
      name: opts.name,
    };
    if (hasResp) options.RESP = opts.protocol;
    const c = mod.createClient(options);
    const errors = [];
    c.on('error', (e) => errors.push(e));
    try {
      await c.connect();
    } catch (e) {
      await destroy(c);
      throw errors.find((x) => x instanceof mod.ErrorReply) || e;
    }
    return c;
  };
  return {
    name,
    errorClass: mod.ErrorReply,
    connect,
    cmd: (c, ...args) => c.sendCommand(args.map(String)),
    pipeline: (c, cmds) => {
      const m = c.multi();
      for (const args of cmds) m.addCommand(args);
      return m.execAsPipeline();
    },
    subscribe: (c, channel, onMessage) => c.subscribe(channel, (message, ch) => onMessage(message, ch)),
    native: {
      get: (c, k) => c.get(k),
      smembers: (c, k) => c.sMembers(k),
      sadd: (c, k, ...m) => c.sAdd(k, m),
      sunionstore: (c, d, ...k) => c.sUnionStore(d, k),
      expire: (c, k, s) => c.expire(k, s),
      ttl: (c, k) => c.ttl(k),
      sinter: (c, ...k) => c.sInter(k),
      del: (c, ...k) => c.del(k),
      sismember: (c, k, m) => c.sIsMember(k, m),
      info: (c, section) => c.info(section),
      setname: (c, n) => c.clientSetName(n),
      getname: (c) => c.clientGetName(),
      // scanIterator yields one key per step in node-redis 4, a batch in 5 and later.
      scan: async (c, match) => {
        const keys = [];
        for await (const k of c.scanIterator({ MATCH: match, COUNT: 500 })) keys.push(...[].concat(k));
        return keys;
      },
    },
    close: async (c) => {
      if (!c.isOpen) return;
      try {
        await (c.close ? c.close() : c.quit());
      } catch {
        await destroy(c);
      }
    },
  };
}

/** destroy drops the socket without waiting for replies. */
async function destroy(c) {
  try {
    if (c.destroy) c.destroy();
    else if (c.isOpen) await c.disconnect();
  } catch {
    // already closed
  }
}

module.exports = { adapter };
