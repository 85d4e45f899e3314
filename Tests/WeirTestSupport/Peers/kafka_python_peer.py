#!/usr/bin/env python3
"""kafka-python as the other side of Weir's interop tests (same interface as librdkafka_peer.py).

  kafka_python_peer.py produce BOOTSTRAP TOPIC CODEC COUNT
      writes COUNT records (key key-<i>, JSON value, header seq=<i>, timestamp
      1700000000000 + i) with kafka-python's default (murmur2) partitioner, and prints
      one JSON line per record: {"key", "partition", "offset"}.
  kafka_python_peer.py consume BOOTSTRAP TOPIC COUNT
      reads COUNT records from the beginning of every partition and prints one JSON
      line per record: {"partition", "offset", "timestamp", "key", "value", "headers"}.
"""
import json
import sys
import time

import kafka


def produce(bootstrap, topic, codec, count):
    producer = kafka.KafkaProducer(bootstrap_servers=bootstrap, compression_type=None if codec == "none" else codec,
                                   linger_ms=5, acks="all")
    futures = []
    for index in range(count):
        futures.append((index, producer.send(topic, key=b"key-%d" % index,
                                             value=json.dumps({"n": index, "from": "kafka-python"}).encode(),
                                             headers=[("seq", str(index).encode())], timestamp_ms=1700000000000 + index)))
    producer.flush(30)
    for index, future in futures:
        metadata = future.get(timeout=30)
        print(json.dumps({"key": "key-%d" % index, "partition": metadata.partition, "offset": metadata.offset}))
    producer.close()


def consume(bootstrap, topic, count):
    consumer = kafka.KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    partitions = [kafka.TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
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
    consumer.close()
    for entry in received:
        print(json.dumps(entry))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "produce":
        produce(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif command == "consume":
        consume(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        raise SystemExit(__doc__)
