'use strict';
// node-redis 5: RESP2 by default, RESP3 with { RESP: 3 } (HELLO 3, no fallback).
const { run } = require('../lib/suite');
const { adapter } = require('../lib/noderedis');

const mod = require('redis5');
run(adapter('redis5', mod), 2);
run(adapter('redis5', mod), 3, { statsMap: true });
