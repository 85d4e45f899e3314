#!/usr/bin/env python3
"""Transactions against Weir's broker, driven by real clients.

  txn_checks.py CLIENT BOOTSTRAP TOPIC GROUP
      CLIENT is librdkafka (confluent-kafka), kafka-python or aiokafka. With a transactional
      producer on TOPIC (two partitions): commits c1-*, aborts a-*, commits c2-*, with offsets
      for GROUP sent inside the first (offset 3) and the aborted (offset 5) transaction; then
      leaves o-0 in a transaction that stays open, and a second producer with the same
      transactional id fences the first (aborting the open transaction). Prints one JSON line:
      {"committed": [values read with read_committed], "uncommitted": [values read with
       read_uncommitted], "held_back": [read_committed while o-0 was open], "fenced": "error",
       "group_offset": n}
"""
import asyncio
import json
import sys
import time

CLIENT, BOOTSTRAP, TOPIC, GROUP = sys.argv[1:5]


def values(prefix):
    return [f"{prefix}-{index}".encode() for index in range(5)]


# ---- reading every partition from the start until quiet ----

def drain(isolation, quiet=1.5):
    seen, last = [], time.time()
    if CLIENT == "librdkafka":
        import confluent_kafka
        consumer = confluent_kafka.Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": "drain", "isolation.level": isolation,
                                             "enable.auto.commit": False, "fetch.wait.max.ms": 100})
        consumer.assign([confluent_kafka.TopicPartition(TOPIC, p, confluent_kafka.OFFSET_BEGINNING) for p in (0, 1)])
        while time.time() - last < quiet:
            message = consumer.poll(0.1)
            if message is not None and message.error() is None:
                seen.append(message.value().decode())
                last = time.time()
        consumer.close()
    elif CLIENT == "kafka-python":
        import kafka
        consumer = kafka.KafkaConsumer(bootstrap_servers=BOOTSTRAP, isolation_level=isolation, enable_auto_commit=False,
                                       fetch_max_wait_ms=100)
        parts = [kafka.TopicPartition(TOPIC, p) for p in (0, 1)]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        while time.time() - last < quiet:
            for batch in consumer.poll(timeout_ms=100).values():
                seen.extend(m.value.decode() for m in batch)
                last = time.time() if batch else last
        consumer.close()
    else:
        async def run():
            import aiokafka
            nonlocal last
            consumer = aiokafka.AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, isolation_level=isolation,
                                                 enable_auto_commit=False, fetch_max_wait_ms=100)
            await consumer.start()
            try:
                parts = [aiokafka.TopicPartition(TOPIC, p) for p in (0, 1)]
                consumer.assign(parts)
                await consumer.seek_to_beginning(*parts)
                while time.time() - last < quiet:
                    for batch in (await consumer.getmany(timeout_ms=100)).values():
                        seen.extend(m.value.decode() for m in batch)
                        last = time.time() if batch else last
            finally:
                await consumer.stop()
        asyncio.run(run())
    return sorted(seen)


def committed_offset():
    import confluent_kafka
    consumer = confluent_kafka.Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": GROUP})
    found = consumer.committed([confluent_kafka.TopicPartition(TOPIC, 0)], timeout=10)[0].offset
    consumer.close()
    return found


# ---- the transactional producer of each client ----

def run_librdkafka():
    import confluent_kafka
    settings = {"bootstrap.servers": BOOTSTRAP, "transactional.id": f"txn-{TOPIC}", "transaction.timeout.ms": 60000}
    producer = confluent_kafka.Producer(settings)
    producer.init_transactions(20)
    group = confluent_kafka.Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": GROUP}).consumer_group_metadata()

    def transaction(prefix, commit, offset=None):
        producer.begin_transaction()
        for index, value in enumerate(values(prefix)):
            producer.produce(TOPIC, value=value, partition=index % 2)
        if offset is not None:
            producer.send_offsets_to_transaction([confluent_kafka.TopicPartition(TOPIC, 0, offset)], group, 20)
        producer.flush(20)  # written before the end, so read_uncommitted shows aborted records too
        producer.commit_transaction(20) if commit else producer.abort_transaction(20)
    transaction("c1", True, 3)
    transaction("a", False, 5)
    transaction("c2", True)
    producer.begin_transaction()
    producer.produce(TOPIC, value=b"o-0", partition=0)
    producer.flush(20)
    held_back = drain("read_committed")
    second = confluent_kafka.Producer(settings)
    second.init_transactions(20)
    try:
        producer.commit_transaction(20)
        fenced = "not fenced"
    except confluent_kafka.KafkaException as failure:
        fenced = failure.args[0].name()
    return held_back, fenced


def run_kafka_python():
    import kafka
    from kafka.structs import OffsetAndMetadata, TopicPartition
    settings = dict(bootstrap_servers=BOOTSTRAP, transactional_id=f"txn-{TOPIC}", transaction_timeout_ms=60000)
    producer = kafka.KafkaProducer(**settings)
    producer.init_transactions()

    def transaction(prefix, commit, offset=None):
        producer.begin_transaction()
        for index, value in enumerate(values(prefix)):
            producer.send(TOPIC, value=value, partition=index % 2)
        if offset is not None:
            producer.send_offsets_to_transaction({TopicPartition(TOPIC, 0): OffsetAndMetadata(offset, "", -1)}, GROUP)
        producer.flush()  # written before the end, so read_uncommitted shows aborted records too
        producer.commit_transaction() if commit else producer.abort_transaction()
    transaction("c1", True, 3)
    transaction("a", False, 5)
    transaction("c2", True)
    producer.begin_transaction()
    producer.send(TOPIC, value=b"o-0", partition=0)
    producer.flush()
    held_back = drain("read_committed")
    second = kafka.KafkaProducer(**settings)
    second.init_transactions()
    try:
        producer.commit_transaction()
        fenced = "not fenced"
    except Exception as failure:
        fenced = type(failure).__name__
    second.close()
    return held_back, fenced


def run_aiokafka():
    async def run():
        import aiokafka
        from aiokafka.structs import TopicPartition
        settings = dict(bootstrap_servers=BOOTSTRAP, transactional_id=f"txn-{TOPIC}", transaction_timeout_ms=60000)
        producer = aiokafka.AIOKafkaProducer(**settings)
        await producer.start()

        async def transaction(prefix, commit, offset=None):
            await producer.begin_transaction()
            sent = [await producer.send(TOPIC, value=value, partition=index % 2) for index, value in enumerate(values(prefix))]
            await asyncio.gather(*sent)  # written before the end, so read_uncommitted shows aborted records too
            if offset is not None:
                await producer.send_offsets_to_transaction({TopicPartition(TOPIC, 0): offset}, GROUP)
            await (producer.commit_transaction() if commit else producer.abort_transaction())
        await transaction("c1", True, 3)
        await transaction("a", False, 5)
        await transaction("c2", True)
        await producer.begin_transaction()
        await (await producer.send(TOPIC, value=b"o-0", partition=0))
        held_back = await asyncio.get_running_loop().run_in_executor(None, drain, "read_committed")
        second = aiokafka.AIOKafkaProducer(**settings)
        await second.start()
        try:
            await producer.commit_transaction()
            fenced = "not fenced"
        except Exception as failure:
            fenced = type(failure).__name__
        await second.stop()
        try:
            await producer.stop()
        except Exception:
            pass
        return held_back, fenced
    return asyncio.run(run())


held_back, fenced = {"librdkafka": run_librdkafka, "kafka-python": run_kafka_python, "aiokafka": run_aiokafka}[CLIENT]()
print(json.dumps({"committed": drain("read_committed"), "uncommitted": drain("read_uncommitted"),
                  "held_back": held_back, "fenced": fenced, "group_offset": committed_offset()}), flush=True)
