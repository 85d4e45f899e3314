#!/usr/bin/env python3
"""aiokafka as the other side of Weir's interop tests (same interface as librdkafka_peer.py).

  aiokafka_peer.py produce BOOTSTRAP TOPIC CODEC COUNT
      writes COUNT records (key key-<i>, JSON value, header seq=<i>, timestamp
      1700000000000 + i) with aiokafka's default (murmur2) partitioner and an
      idempotent producer, and prints one JSON line per record: {"key", "partition", "offset"}.
  aiokafka_peer.py consume BOOTSTRAP TOPIC COUNT
      reads COUNT records from the beginning of every partition and prints one JSON
      line per record: {"partition", "offset", "timestamp", "key", "value", "headers"}.
"""
import asyncio
import json
import sys

import aiokafka


async def produce(bootstrap, topic, codec, count):
    producer = aiokafka.AIOKafkaProducer(bootstrap_servers=bootstrap, compression_type=None if codec == "none" else codec,
                                         linger_ms=5, enable_idempotence=True)
    await producer.start()
    try:
        futures = []
        for index in range(count):
            futures.append((index, await producer.send(topic, key=b"key-%d" % index,
                                                       value=json.dumps({"n": index, "from": "aiokafka"}).encode(),
                                                       headers=[("seq", str(index).encode())],
                                                       timestamp_ms=1700000000000 + index)))
        for index, future in futures:
            metadata = await asyncio.wait_for(future, 30)
            print(json.dumps({"key": "key-%d" % index, "partition": metadata.partition, "offset": metadata.offset}))
    finally:
        await producer.stop()


async def consume(bootstrap, topic, count):
    consumer = aiokafka.AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    received = []
    try:
        cluster = await consumer._client.fetch_all_metadata()  # aiokafka has no public async lookup
        partitions = [aiokafka.TopicPartition(topic, p) for p in sorted(cluster.partitions_for_topic(topic) or [])]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = asyncio.get_running_loop().time() + 30
        while len(received) < count and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for message in records:
                    received.append({
                        "partition": message.partition, "offset": message.offset, "timestamp": message.timestamp,
                        "key": None if message.key is None else message.key.decode(),
                        "value": None if message.value is None else message.value.decode(),
                        "headers": [[k, None if v is None else v.decode()] for k, v in (message.headers or [])],
                    })
    finally:
        await consumer.stop()
    for entry in received:
        print(json.dumps(entry))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "produce":
        asyncio.run(produce(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])))
    elif command == "consume":
        asyncio.run(consume(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    else:
        raise SystemExit(__doc__)
