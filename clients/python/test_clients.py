"""Debian's python3-redis (redis-py 4.3.4) against a running imredis.

Run with Debian's interpreter so the apt packages are the ones imported:

    IMREDIS_PORT=6379 IMREDIS_PASSWORD=secret /usr/bin/python3 -m unittest -v clients/python/test_clients.py

Every check runs twice: with redis-py's pure-Python parser and with hiredis.
redis-py 4.3.4 speaks RESP2 only.
"""

import json
import os
import time
import unittest
import uuid

import redis
import redis.connection

HOST = os.environ.get("IMREDIS_HOST", "127.0.0.1")
PORT = int(os.environ.get("IMREDIS_PORT", "6379"))
PASSWORD = os.environ.get("IMREDIS_PASSWORD", "secret")
EVENTS = "llm-im:events"


def incident(**extra):
    """Return a valid incident document with a fresh v4 id."""
    doc = {
        "id": str(uuid.uuid4()),
        "severity": "P1",
        "incident_type": "Infrastructure",
        "source": "client-matrix",
        "title": "client matrix probe",
    }
    doc.update(extra)
    return doc


class Matrix:
    """The checks; subclasses pick the parser."""

    parser = None

    def client(self, **kw):
        # redis.Redis takes no parser_class: it is a connection option.
        opts = dict(host=HOST, port=PORT, password=PASSWORD, parser_class=self.parser,
                    decode_responses=True, socket_timeout=5, socket_connect_timeout=5)
        opts.update(kw)
        pool = redis.ConnectionPool(**opts)
        self.addCleanup(pool.disconnect)
        return redis.Redis(connection_pool=pool)

    def setUp(self):
        self.r = self.client()

    def test_connects_with_auth_and_parser(self):
        self.assertTrue(self.r.ping())
        info = self.r.execute_command("CLIENT", "INFO")
        self.assertIn("resp=2", info)
        self.assertIn("user=default", info)
        conn = self.r.connection_pool.get_connection("PING")
        try:
            self.assertIsInstance(conn._parser, self.parser)
        finally:
            self.r.connection_pool.release(conn)

    def test_generic_incident_commands(self):
        doc = incident(source="py-" + str(uuid.uuid4()))
        self.assertEqual(self.r.execute_command("INC.SAVE", json.dumps(doc)), doc["id"])
        got = json.loads(self.r.execute_command("INC.GET", doc["id"]))
        self.assertEqual(got["id"], doc["id"])
        self.assertEqual(got["state"], "Detected")
        listed = self.r.execute_command("INC.LIST", "SOURCE", doc["source"])
        self.assertEqual([json.loads(j)["id"] for j in listed], [doc["id"]])
        self.assertEqual(self.r.execute_command("INC.COUNT", "SOURCE", doc["source"]), 1)
        self.assertIsNone(self.r.execute_command("INC.GET", str(uuid.uuid4())))
        stats = self.r.execute_command("INC.STATS")
        self.assertEqual(stats[0], "total")
        self.assertGreaterEqual(stats[1], 1)

    def test_pipeline_of_100(self):
        docs = [incident() for _ in range(50)]
        with self.r.pipeline(transaction=False) as p:
            for d in docs:
                p.execute_command("INC.SAVE", json.dumps(d))
                p.execute_command("INC.GET", d["id"])
            replies = p.execute()
        self.assertEqual(len(replies), 100)
        for i, d in enumerate(docs):
            self.assertEqual(replies[2 * i], d["id"])
            self.assertEqual(json.loads(replies[2 * i + 1])["id"], d["id"])
        self.assertEqual(self.r.execute_command("INC.DEL", *[d["id"] for d in docs]), 50)

    def test_seed_layout_flow(self):
        doc = incident()
        self.r.execute_command("INC.SAVE", json.dumps(doc))
        key = "llm-im:incident:" + doc["id"]
        self.assertEqual(json.loads(self.r.get(key))["id"], doc["id"])
        self.assertIn(doc["id"], self.r.smembers("llm-im:severity:P1"))
        self.assertEqual(self.r.sadd("llm-im:severity:P1", doc["id"]), 0)
        temp = "llm-im:temp:" + str(uuid.uuid4())
        self.assertGreaterEqual(self.r.sunionstore(temp, ["llm-im:severity:P1", "llm-im:severity:P2"]), 1)
        self.assertTrue(self.r.expire(temp, 60))
        self.assertTrue(0 < self.r.ttl(temp) <= 60)
        self.assertIn(doc["id"], self.r.sinter([temp, "llm-im:state:Detected"]))
        self.assertEqual(list(self.r.scan_iter(match=key, count=500)), [key])
        self.assertEqual(self.r.delete(key), 1)
        self.assertIsNone(self.r.get(key))
        self.assertEqual(list(self.r.scan_iter(match=key, count=500)), [])
        self.assertFalse(self.r.sismember("llm-im:incidents", doc["id"]))
        self.assertEqual(self.r.delete(temp), 1)

    def test_change_feed(self):
        sub = self.client().pubsub()
        self.addCleanup(sub.close)
        sub.subscribe(EVENTS)
        ack = sub.get_message(timeout=5)
        self.assertIsNotNone(ack, "no subscribe confirmation")
        self.assertEqual((ack["type"], ack["channel"], ack["data"]), ("subscribe", EVENTS, 1))
        doc = incident()
        self.r.execute_command("INC.SAVE", json.dumps(doc))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            msg = sub.get_message(timeout=deadline - time.monotonic())
            if msg is None or msg["type"] != "message":
                continue
            ev = json.loads(msg["data"])
            if ev["id"] != doc["id"]:
                continue
            self.assertEqual(msg["channel"], EVENTS)
            self.assertEqual((ev["op"], ev["db"], ev["severity"], ev["state"]), ("saved", 0, "P1", "Detected"))
            self.assertTrue(ev["updated_at"])
            return
        self.fail("no change-feed message for " + doc["id"])

    def test_error_reply_is_response_error(self):
        with self.assertRaises(redis.ResponseError) as cm:
            self.r.execute_command("INC.SAVE", "{not json")
        self.assertTrue(str(cm.exception).startswith("INVALID "), str(cm.exception))
        self.assertTrue(self.r.ping())

    def test_info_server(self):
        info = self.r.info("server")
        self.assertEqual(info["redis_version"], "7.2.4")
        self.assertEqual(info["redis_mode"], "standalone")

    def test_client_setname_getname(self):
        name = "py-%s-%d" % (self.parser.__name__, os.getpid())
        self.assertTrue(self.r.client_setname(name))
        self.assertEqual(self.r.client_getname(), name)

    def test_noauth_before_auth(self):
        anon = self.client(password=None)
        with self.assertRaises(redis.AuthenticationError) as cm:
            anon.execute_command("INC.COUNT")
        self.assertEqual(str(cm.exception), "Authentication required.")

    def test_wrong_password_refused(self):
        bad = self.client(password="wrong-password")
        with self.assertRaises(redis.ResponseError) as cm:
            bad.execute_command("INC.COUNT")
        self.assertEqual(str(cm.exception), "WRONGPASS invalid username-password pair or user is disabled.")


class PythonParserTest(Matrix, unittest.TestCase):
    parser = redis.connection.PythonParser


class HiredisParserTest(Matrix, unittest.TestCase):
    parser = redis.connection.HiredisParser


if __name__ == "__main__":
    unittest.main()
