#!/usr/bin/env python3
"""A producer that writes without pause for the broker crash tests (librdkafka through confluent-kafka).

  steady_producer.py BOOTSTRAP TOPIC SECONDS
      an idempotent producer with acks=all writes values m-0, m-1, ... round-robin over the
      topic's partitions for SECONDS, then waits (up to 90 s) for every delivery. Each
      acknowledged record is printed as it is acknowledged: "ack VALUE PARTITION OFFSET";
      at the end "done SENT ACKED FAILED".
"""
import sys
import time

import confluent_kafka

bootstrap, topic, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
producer = confluent_kafka.Producer({
    "bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True, "linger.ms": 2,
    "message.timeout.ms": 90000, "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 200,
    "partitioner": "random"})
acked, failed = 0, 0


def report(error, message):
    global acked, failed
    if error is not None:
        failed += 1
        sys.stderr.write(f"delivery failed: {error}\n")
        return
    acked += 1
    sys.stdout.write(f"ack {message.value().decode()} {message.partition()} {message.offset()}\n")


sent, deadline = 0, time.time() + seconds
while time.time() < deadline:
    try:
        producer.produce(topic, value=f"m-{sent}".encode(), on_delivery=report)
        sent += 1
    except BufferError:
        producer.poll(0.05)
        continue
    if sent % 50 == 0:
        producer.poll(0.001)
        sys.stdout.flush()
        time.sleep(0.002)
producer.flush(90)
print(f"done {sent} {acked} {failed}", flush=True)
