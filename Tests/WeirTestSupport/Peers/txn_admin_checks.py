#!/usr/bin/env python3
"""What admin tools read of producers and transactions, asked by kafka-python's admin client
(describe_producers, list_transactions, describe_transactions: kafka-transactions.sh's views).

  txn_admin_checks.py BOOTSTRAP TOPIC
      librdkafka's transactional producer "viewed-txn" writes three records to TOPIC's
      partition 0 and leaves the transaction open; an idempotent producer writes five to
      partition 1. The admin client lists and describes the transactions and the producers
      of both partitions; then the transaction commits and is listed again. Prints one JSON line:
      {"listed_open": [[id, producer_id, state]], "described": {...}, "producers": {"0": [...], "1": [...]},
       "listed_after": [[id, producer_id, state]], "ongoing_only": [...]}
"""
import json
import sys

import confluent_kafka
import kafka
from kafka.admin import KafkaAdminClient

BOOTSTRAP, TOPIC = sys.argv[1:3]


def main():
    transactional = confluent_kafka.Producer({"bootstrap.servers": BOOTSTRAP, "transactional.id": "viewed-txn"})
    transactional.init_transactions(10)
    transactional.begin_transaction()
    for index in range(3):
        transactional.produce(TOPIC, value=b"t-%d" % index, partition=0)
    transactional.flush(10)

    idempotent = confluent_kafka.Producer({"bootstrap.servers": BOOTSTRAP, "enable.idempotence": True})
    for index in range(5):
        idempotent.produce(TOPIC, value=b"i-%d" % index, partition=1)
    idempotent.flush(10)

    admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    listed_open = admin.list_transactions()
    ongoing_only = admin.list_transactions(state_filters=["Ongoing"])
    described = admin.describe_transactions(["viewed-txn"])
    producers = admin.describe_producers([kafka.TopicPartition(TOPIC, 0), kafka.TopicPartition(TOPIC, 1)])
    transactional.commit_transaction(10)
    listed_after = admin.list_transactions()
    admin.close()
    print(json.dumps({"listed_open": plain(listed_open), "ongoing_only": plain(ongoing_only),
                      "described": plain(described), "producers": plain(producers),
                      "listed_after": plain(listed_after)}, default=str))


def plain(value):
    """kafka-python's answers (named tuples, dicts keyed by TopicPartition) as JSON values."""
    if isinstance(value, dict):
        return {(f"{key.topic}-{key.partition}" if isinstance(key, kafka.TopicPartition) else str(key)): plain(item)
                for key, item in value.items()}
    if hasattr(value, "_asdict"):
        return plain(value._asdict())
    if hasattr(value, "to_dict"):
        return plain(value.to_dict())
    if isinstance(value, (list, tuple, set)):
        return [plain(item) for item in value]
    return value


if __name__ == "__main__":
    main()
