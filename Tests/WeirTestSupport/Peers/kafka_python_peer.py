#!/usr/bin/env python3
"""kafka-python as the other side of Weir's interop tests (same interface as librdkafka_peer.py).

  kafka_python_peer.py produce BOOTSTRAP TOPIC CODEC COUNT
      writes COUNT records (key key-<i>, JSON value, header seq=<i>, timestamp
      1700000000000 + i) with kafka-python's default (murmur2) partitioner, and prints
      one JSON line per record: {"key", "partition", "offset"}.
  kafka_python_peer.py consume BOOTSTRAP TOPIC COUNT
      reads COUNT records from the beginning of every partition and prints one JSON
      line per record: {"partition", "offset", "timestamp", "key", "value", "headers"}.
  kafka_python_peer.py consume-group BOOTSTRAP TOPIC GROUP COUNT
      joins GROUP on TOPIC from the earliest offsets, reads COUNT records, commits, and
      prints them as consume does, then {"committed": [[partition, offset], ...]} as the
      group's offsets read back.

With --api-version 0.9 or 0.10 (before the command) the client is pinned to that broker version, as
deployments of that era pin it: message sets of magic 0 or 1 (no headers; no timestamps
before 0.10), Produce v1–v2, Fetch v1–v3, JoinGroup v0.
"""
import json
import sys
import time

import kafka

API_VERSION = None
if sys.argv[1:2] == ["--api-version"]:
    API_VERSION = tuple(int(part) for part in sys.argv[2].split("."))
    del sys.argv[1:3]


def produce(bootstrap, topic, codec, count):
    producer = kafka.KafkaProducer(bootstrap_servers=bootstrap, compression_type=None if codec == "none" else codec,
                                   linger_ms=5, acks="all", api_version=API_VERSION)
    # What the pinned format can carry: headers from 0.11 (magic 2), timestamps from 0.10 (magic 1).
    with_headers = API_VERSION is None or API_VERSION >= (0, 11)
    with_timestamps = API_VERSION is None or API_VERSION >= (0, 10)
    futures = []
    for index in range(count):
        futures.append((index, producer.send(topic, key=b"key-%d" % index,
                                             value=json.dumps({"n": index, "from": "kafka-python"}).encode(),
                                             headers=[("seq", str(index).encode())] if with_headers else None,
                                             timestamp_ms=1700000000000 + index if with_timestamps else None)))
    producer.flush(30)
    for index, future in futures:
        metadata = future.get(timeout=30)
        print(json.dumps({"key": "key-%d" % index, "partition": metadata.partition, "offset": metadata.offset}))
    producer.close()


def consume(bootstrap, topic, count):
    consumer = kafka.KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, api_version=API_VERSION)
    partitions = [kafka.TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    print_all(poll(consumer, count))
    consumer.close()


def consume_group(bootstrap, topic, group, count):
    consumer = kafka.KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                                   auto_offset_reset="earliest", api_version=API_VERSION)
    received = poll(consumer, count)
    consumer.commit()
    partitions = sorted({entry["partition"] for entry in received})
    committed = [[p, consumer.committed(kafka.TopicPartition(topic, p))] for p in partitions]
    consumer.close()
    print_all(received)
    print(json.dumps({"committed": committed}))


def poll(consumer, count):
    received, deadline = [], time.time() + 30
    while len(received) < count and time.time() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            for message in records:
                received.append({
                    "partition": message.partition, "offset": message.offset, "timestamp": message.timestamp,
                    "key": None if message.key is None else message.key.decode(),
                    "value": None if message.value is None else message.value.decode(),
                    "headers": [[k, None if v is None else v.decode()] for k, v in (message.headers or [])],
                })
    return received


def print_all(received):
    for entry in received:
        print(json.dumps(entry))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "produce":
        produce(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif command == "consume":
        consume(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif command == "consume-group":
        consume_group(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        raise SystemExit(__doc__)
