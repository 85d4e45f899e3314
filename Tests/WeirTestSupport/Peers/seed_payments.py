#!/usr/bin/env python3
"""Produces payment events the way seed 001's produce_data.py does (kafka-python, values
serialized with json.dumps), from a file of JSON lines instead of random draws, so the
results can be compared with Flink's for the same events.

  seed_payments.py BOOTSTRAP TOPIC FILE
      sends every line of FILE (one JSON object each) to TOPIC and prints {"sent": N}.
"""
import json
import sys
from json import dumps

from kafka import KafkaProducer


def main(bootstrap, topic, path):
    producer = KafkaProducer(bootstrap_servers=[bootstrap], value_serializer=lambda x: dumps(x).encode('utf-8'),
                             linger_ms=5, batch_size=262144)
    sent = 0
    with open(path) as lines:
        for line in lines:
            line = line.strip()
            if line:
                producer.send(topic, value=json.loads(line))
                sent += 1
    producer.flush(60)
    producer.close()
    print(json.dumps({"sent": sent}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
