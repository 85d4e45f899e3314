#!/usr/bin/env python3
"""Seed 000's kafka-python script, step for step, against a given broker: list the topics,
delete `mytopic` if it is there, create it (one partition), send the seed's six JSON events
with a new producer for each (waiting for each acknowledgement), then read the topic from
the earliest offset. Prints one JSON line per event read.

  seed_user_events.py BOOTSTRAP
"""
import json
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

BOOTSTRAP = sys.argv[1]
TOPIC = "mytopic"
EVENTS = [{"a": "a", "b": 1, "c": 1, "time": "2013-01-01T00:14:13Z"},
          {"a": "b", "b": 2, "c": 2, "time": "2013-01-01T00:24:13Z"},
          {"a": "a", "b": 3, "c": 3, "time": "2013-01-01T00:34:13Z"},
          {"a": "a", "b": 4, "c": 4, "time": "2013-01-01T01:14:13Z"},
          {"a": "b", "b": 4, "c": 5, "time": "2013-01-01T01:24:13Z"},
          {"a": "a", "b": 5, "c": 2, "time": "2013-01-01T01:34:13Z"}]


def topics():
    return KafkaConsumer(bootstrap_servers=BOOTSTRAP).topics()


if TOPIC in topics():
    KafkaAdminClient(bootstrap_servers=BOOTSTRAP).delete_topics(topics=[TOPIC])
if TOPIC not in topics():
    KafkaAdminClient(bootstrap_servers=BOOTSTRAP).create_topics(new_topics=[NewTopic(TOPIC, 1, 1)])
for event in EVENTS:
    producer = KafkaProducer(bootstrap_servers=BOOTSTRAP, value_serializer=lambda v: json.dumps(v).encode("utf-8"))
    producer.send(TOPIC, event).get()
consumer = KafkaConsumer(TOPIC, bootstrap_servers=BOOTSTRAP, auto_offset_reset="earliest", consumer_timeout_ms=3000)
for message in consumer:
    print(json.dumps({"offset": message.offset, "value": json.loads(message.value)}))
