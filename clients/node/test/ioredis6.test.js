'use strict';
// ioredis 6 defaults to RESP3 (HELLO 3, falling back to RESP2 only on NOPROTO
// or an unknown HELLO); replyMapping "legacy" flattens maps as RESP2 would,
// "resp3" turns them into objects.
const { run } = require('../lib/suite');
const { adapter } = require('../lib/ioredis');

const mod = require('ioredis6');
run(adapter('ioredis6', mod), 2);
run(adapter('ioredis6', mod), 3);
const mapped = adapter('ioredis6 replyMapping=resp3', mod);
const connect = mapped.connect;
mapped.connect = (opts) => connect({ ...opts, replyMapping: 'resp3' });
run(mapped, 3, { statsMap: true });
