#!/usr/bin/env python3
"""librdkafka (through confluent-kafka) as the other side of Weir's interop tests.

  librdkafka_peer.py produce BOOTSTRAP TOPIC CODEC COUNT
      writes COUNT records (key key-<i>, JSON value, header seq=<i>, timestamp
      1700000000000 + i) with the murmur2_random partitioner, and prints one JSON
      line per record: {"key", "partition", "offset"}.
  librdkafka_peer.py consume BOOTSTRAP TOPIC COUNT
      reads COUNT records from the beginning of every partition and prints one JSON
      line per record: {"partition", "offset", "timestamp", "key", "value", "headers"}.
  librdkafka_peer.py group BOOTSTRAP TOPIC GROUP SECONDS STRATEGY
      subscribes to TOPIC as a member of GROUP (partition.assignment.strategy STRATEGY,
      6 s session timeout), polls for SECONDS, then prints one JSON line
      {"assignment": [partitions]} with the assignment it held at the end, and leaves.
  librdkafka_peer.py roundtrip BOOTSTRAP TOPIC KEY=VALUE...
      with the extra client properties given (security settings), produces three
      values to partition 0 of TOPIC and reads that partition from the beginning;
      prints {"values": [...]} with what it read.
"""
import json
import sys
import time

import confluent_kafka


def produce(bootstrap, topic, codec, count):
    producer = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "compression.type": codec,
                                         "partitioner": "murmur2_random", "linger.ms": 5})
    delivered = []

    def report(error, message):
        if error is not None:
            raise SystemExit(f"delivery failed: {error}")
        delivered.append({"key": message.key().decode(), "partition": message.partition(), "offset": message.offset()})

    for index in range(count):
        producer.produce(topic, key=b"key-%d" % index, value=json.dumps({"n": index, "from": "librdkafka"}).encode(),
                         headers=[("seq", str(index).encode())], timestamp=1700000000000 + index, on_delivery=report)
    producer.flush(30)
    for entry in delivered:
        print(json.dumps(entry))


def consume(bootstrap, topic, count):
    consumer = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": "weir-interop",
                                         "enable.auto.commit": False})
    metadata = consumer.list_topics(topic, timeout=10)
    partitions = sorted(metadata.topics[topic].partitions)
    consumer.assign([confluent_kafka.TopicPartition(topic, p, confluent_kafka.OFFSET_BEGINNING) for p in partitions])
    received, deadline = [], time.time() + 30
    while len(received) < count and time.time() < deadline:
        message = consumer.poll(0.5)
        if message is None or message.error() is not None:
            continue
        received.append({
            "partition": message.partition(), "offset": message.offset(), "timestamp": message.timestamp()[1],
            "key": None if message.key() is None else message.key().decode(),
            "value": None if message.value() is None else message.value().decode(),
            "headers": [[k, None if v is None else v.decode()] for k, v in (message.headers() or [])],
        })
    consumer.close()
    for entry in received:
        print(json.dumps(entry))


def group(bootstrap, topic, group_id, seconds, strategy):
    consumer = confluent_kafka.Consumer({
        "bootstrap.servers": bootstrap, "group.id": group_id, "auto.offset.reset": "earliest",
        "partition.assignment.strategy": strategy, "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 300, "enable.auto.commit": False})
    consumer.subscribe([topic])
    deadline = time.time() + seconds
    while time.time() < deadline:
        consumer.poll(0.2)
    assignment = sorted(tp.partition for tp in consumer.assignment())
    consumer.close()
    print(json.dumps({"assignment": assignment}))


def roundtrip(bootstrap, topic, properties):
    settings = dict(entry.split("=", 1) for entry in properties)
    producer = confluent_kafka.Producer({"bootstrap.servers": bootstrap, **settings})
    for index in range(3):
        producer.produce(topic, value=f"librdkafka-{index}".encode(), partition=0)
    if producer.flush(20) != 0:
        raise SystemExit("produce did not complete")
    consumer = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": "weir-roundtrip",
                                         "enable.auto.commit": False, **settings})
    consumer.assign([confluent_kafka.TopicPartition(topic, 0, confluent_kafka.OFFSET_BEGINNING)])
    values, deadline = [], time.time() + 20
    while len(values) < 3 and time.time() < deadline:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            values.append(message.value().decode())
    consumer.close()
    print(json.dumps({"values": values}))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "produce":
        produce(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif command == "consume":
        consume(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif command == "roundtrip":
        roundtrip(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif command == "group":
        group(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]), sys.argv[6])
    else:
        raise SystemExit(__doc__)
