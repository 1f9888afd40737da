'use strict';
// node-redis 6: RESP3 by default (HELLO 3, no fallback), RESP2 with { RESP: 2 }.
const { run } = require('../lib/suite');
const { adapter } = require('../lib/noderedis');

const mod = require('redis6');
run(adapter('redis6', mod), 2);
run(adapter('redis6', mod), 3, { statsMap: true });
