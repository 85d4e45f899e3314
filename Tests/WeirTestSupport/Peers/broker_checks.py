#!/usr/bin/env python3
"""What Weir's broker must do for real clients, asked by the clients themselves.
Every check prints one JSON line; CLIENT is librdkafka (confluent-kafka), kafka-python or aiokafka,
and for group and resume also weir (Weir's own client: `weir consume --group`, the binary in $WEIR)
and librdkafka-consumer / weir-consumer (librdkafka, or Weir's client, with group.protocol=consumer:
KIP-848, the broker assigns).

  broker_checks.py group CLIENT[+CLIENT2] BOOTSTRAP TOPIC GROUP COUNT
      two members (of CLIENT, or the first of CLIENT and the second of CLIENT2) join GROUP on TOPIC; once both hold partitions they read COUNT records
      between them and commit; then the second leaves and the first must be given every
      partition. Prints {"first": [[...], [...]], "after_leave": [...], "read": n, "distinct": n}.
  broker_checks.py resume CLIENT BOOTSTRAP TOPIC GROUP COUNT
      one member of GROUP reads COUNT records from the group's committed offsets.
      Prints {"offsets": [[partition, offset], ...]}.
  broker_checks.py times CLIENT BOOTSTRAP TOPIC TIMESTAMP...
      the offset of partition 0 for each timestamp (offsets_for_times). Prints {"TIMESTAMP": offset|null}.
  broker_checks.py large CLIENT BOOTSTRAP TOPIC SIZE
      produces one SIZE-byte value to partition 0 and reads it back from the start.
      Prints {"error": null|"...", "read": size|null}.
  broker_checks.py out-of-range CLIENT BOOTSTRAP TOPIC OFFSET
      reads partition 0 from OFFSET (past the end) with auto.offset.reset=earliest.
      Prints {"first_offset": n}.
  broker_checks.py idempotent CLIENT BOOTSTRAP TOPIC COUNT
      an idempotent producer writes COUNT records to partition 0. Prints {"offsets": [...]}.
  broker_checks.py sasl CLIENT BOOTSTRAP TOPIC MECHANISM USER PASSWORD
      over SASL_PLAINTEXT with MECHANISM, produces three values to partition 0 and reads them
      back. Prints {"values": [...]} or {"error": "..."} when the client cannot get in.
  broker_checks.py configs kafka-python BOOTSTRAP TOPIC
      creates TOPIC with retention.ms=3600000 and describes its configs with their synonyms;
      then tries a topic with a config name Kafka does not know.
      Prints {"configs": {name: {"value", "source", "synonyms": [[name, value, source], ...]}},
      "unknown_name_error": "..."}.
  broker_checks.py fetch-session kafka-python BOOTSTRAP TOPIC COUNT
      reads TOPIC's COUNT records from the start with one consumer (kafka-python keeps an
      incremental fetch session, KIP-227, when the broker offers one), then 10 more written
      to partition 0 only. Prints {"read": n, "created": sessions created, "incremental":
      [partitions in each incremental response], "refused": [invalid-response log lines]}.
  broker_checks.py pattern librdkafka-consumer BOOTSTRAP PATTERN COUNT
      one member of the consumer protocol (KIP-848) subscribes to the topics matching PATTERN
      (a regular expression, as librdkafka takes one: starting with ^) and reads COUNT records.
      Prints {"topics": [topics read], "assignment": [[topic, partition], ...]}.
  broker_checks.py admin CLIENT BOOTSTRAP TOPIC
      creates TOPIC (3 partitions, retention.ms=3600000), grows it to 5, reads its config,
      deletes it. Prints {"after_create": [...topics], "partitions": n, "retention": "...", "after_delete": [...]}.
"""
import asyncio
import atexit
import json
import os
import signal
import subprocess
import sys
import threading
import time

CLIENT, BOOTSTRAP = sys.argv[2], sys.argv[3]


def emit(value):
    print(json.dumps(value), flush=True)


# ---- a small common face over the clients: a consumer that polls records ----

def member(client, topic, group):
    """A group member of CLIENT's kind: librdkafka, kafka-python, aiokafka, or weir (Weir's own
    client, as `weir consume --group` runs it; the binary is $WEIR)."""
    if client in ("weir", "weir-consumer"):
        return WeirMember(topic, group, consumer_protocol=client == "weir-consumer")
    return Member(client, topic, group)


class Member:
    """One group member on its own thread (librdkafka, kafka-python) or task loop (aiokafka)."""

    def __init__(self, client, topic, group):
        self.client, self.topic, self.group = client, topic, group
        self.records, self.assignment = [], []
        # Whether its position is at the end of every partition it holds (what a commit then records).
        self.caught_up = False
        self.stop, self.commit_requested, self.committed = False, False, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        if self.client == "aiokafka":
            asyncio.run(self.run_aiokafka())
            return
        if self.client in ("librdkafka", "librdkafka-consumer"):
            import confluent_kafka
            settings = {"bootstrap.servers": BOOTSTRAP, "group.id": self.group, "auto.offset.reset": "earliest",
                        "enable.auto.commit": False}
            if self.client == "librdkafka-consumer":
                # KIP-848: the broker assigns; its timeouts are the broker's (group.consumer.*).
                settings["group.protocol"] = "consumer"
            else:
                settings.update({"session.timeout.ms": 6000, "heartbeat.interval.ms": 500})
            consumer = confluent_kafka.Consumer(settings)
            consumer.subscribe([self.topic])
            poll = lambda: [m for m in [consumer.poll(0.2)] if m is not None and m.error() is None]
            assignment = lambda: sorted(tp.partition for tp in consumer.assignment())

            def commit():
                try:
                    consumer.commit(asynchronous=False)
                except confluent_kafka.KafkaException as error:
                    # Nothing read since it got its partitions: their commits stand as they are.
                    if error.args[0].code() != confluent_kafka.KafkaError._NO_OFFSET:
                        raise

            def caught_up():
                positions = consumer.position(consumer.assignment())
                # A partition read from nowhere yet (its committed offset was already the end, as a
                # member that commits as it reads leaves it) has no position: its commit is where it is.
                unread = [tp for tp in positions if tp.offset < 0]
                if unread:
                    committed = {tp.partition: tp.offset for tp in consumer.committed(unread, timeout=5)}
                    for tp in unread:
                        tp.offset = committed.get(tp.partition, -1)
                # The high watermarks the fetches brought back: asking the broker would wait behind
                # the fetcher's long poll on the same connection.
                return all(tp.offset >= consumer.get_watermark_offsets(tp, cached=True)[1] >= 0 for tp in positions)
        else:
            import kafka
            consumer = kafka.KafkaConsumer(self.topic, bootstrap_servers=BOOTSTRAP, group_id=self.group,
                                           auto_offset_reset="earliest", enable_auto_commit=False,
                                           session_timeout_ms=6000, heartbeat_interval_ms=500)
            poll = lambda: [m for batch in consumer.poll(timeout_ms=200).values() for m in batch]
            assignment = lambda: sorted(tp.partition for tp in consumer.assignment())
            commit = lambda: consumer.commit()

            def caught_up():
                ends = consumer.end_offsets(list(consumer.assignment()))
                return all(consumer.position(tp) >= end for tp, end in ends.items())
        while not self.stop:
            for message in poll():
                self.records.append((message.partition(), message.offset()) if self.client.startswith("librdkafka")
                                    else (message.partition, message.offset))
            self.assignment = assignment()
            try:
                self.caught_up = bool(self.assignment) and caught_up()
            except Exception:  # a rebalance took a partition away meanwhile: ask again next round
                self.caught_up = False
            if self.commit_requested:
                commit()
                self.commit_requested = False
                self.committed.set()
        consumer.close()

    async def run_aiokafka(self):
        import aiokafka
        consumer = aiokafka.AIOKafkaConsumer(self.topic, bootstrap_servers=BOOTSTRAP, group_id=self.group,
                                             auto_offset_reset="earliest", enable_auto_commit=False,
                                             session_timeout_ms=6000, heartbeat_interval_ms=500)
        await consumer.start()
        try:
            while not self.stop:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    self.records.extend((m.partition, m.offset) for m in batch)
                self.assignment = sorted(tp.partition for tp in consumer.assignment())
                try:
                    ends = await consumer.end_offsets(list(consumer.assignment())) if self.assignment else {}
                    self.caught_up = bool(ends) and all([await consumer.position(tp) >= end for tp, end in ends.items()])
                except Exception:  # a rebalance took a partition away meanwhile: ask again next round
                    self.caught_up = False
                if self.commit_requested:
                    await consumer.commit()
                    self.commit_requested = False
                    self.committed.set()
        finally:
            await consumer.stop()

    def commit(self):
        self.commit_requested = True
        if not self.committed.wait(20):
            raise SystemExit("commit did not complete")
        self.committed.clear()

    def close(self):
        self.stop = True
        self.thread.join(30)


class WeirMember:
    """Weir's own client in a group: `weir consume --group` in a process of its own, printing
    partition and offset per record and committing as it reads (auto-commit every 200 ms) and
    when it stops. Its assignment is what the group coordinator says it holds (`weir groups
    describe`); the ends of its partitions come from ListOffsets."""

    count = 0

    def __init__(self, topic, group, consumer_protocol=False):
        import kafka
        WeirMember.count += 1
        self.topic, self.group, self.client_id = topic, group, "weir-member-%d" % WeirMember.count
        self.records, self.assignment, self.caught_up, self.stop = [], [], False, False
        # KIP-848 (weir-consumer): the broker sets the session and heartbeat timing.
        protocol = (["-X", "group.protocol=consumer"] if consumer_protocol
                    else ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"])
        self.process = subprocess.Popen(
            [os.environ["WEIR"], "consume", topic, "--group", group, "--from", "beginning", "--format", "%p %o\\n",
             "--bootstrap", BOOTSTRAP, "-X", "client.id=" + self.client_id, "-X", "auto.commit.interval.ms=200"]
            + protocol,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        # Stopped with this script, however it ends: a member left behind would keep the group
        # (and the pipes of whoever runs this script) busy.
        atexit.register(self.process.kill)
        self.ends = kafka.KafkaConsumer(bootstrap_servers=BOOTSTRAP)
        threading.Thread(target=self.read, daemon=True).start()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()

    def read(self):
        for line in self.process.stdout:
            partition, offset = line.split()
            self.records.append((int(partition), int(offset)))

    def watch(self):
        import kafka
        while not self.stop:
            try:
                partitions = self.described_assignment()
                self.assignment = partitions
                ends = self.ends.end_offsets([kafka.TopicPartition(self.topic, p) for p in partitions])
                read = {}
                for partition, offset in list(self.records):
                    read[partition] = max(read.get(partition, -1), offset + 1)
                # A partition it has read nothing from starts at the group's commit.
                unread = [p for p in partitions if p not in read]
                if unread:
                    read.update({p: offset or 0 for p, offset in committed_offsets(self.topic, self.group, unread).items()})
                self.caught_up = bool(partitions) and all(read.get(tp.partition, 0) >= end for tp, end in ends.items())
            except Exception:  # a group between generations: ask again next round
                self.caught_up = False
            time.sleep(0.2)

    def described_assignment(self):
        """The partitions `weir groups describe` lists for this member ("topic-N,topic-M")."""
        output = subprocess.run([os.environ["WEIR"], "groups", "describe", self.group, "--bootstrap", BOOTSTRAP],
                                capture_output=True, text=True, timeout=20).stdout
        for line in output.splitlines():
            fields = line.strip().split("\t")
            if len(fields) == 4 and fields[1] == "client " + self.client_id and fields[3] != "-":
                return sorted(int(name.rsplit("-", 1)[1]) for name in fields[3].split(","))
        return []

    def commit(self):
        """Waits for the auto-commit to cover what was read."""
        ends = {}
        for partition, offset in list(self.records):
            ends[partition] = max(ends.get(partition, 0), offset + 1)
        wait_until(lambda: all((committed_offsets(self.topic, self.group, [p])[p] or 0) >= end for p, end in ends.items()),
                   20, "weir's auto-commit")

    def close(self):
        self.stop = True
        self.process.send_signal(signal.SIGINT)
        self.process.wait(20)
        self.thread.join(10)
        self.ends.close()


def wait_until(condition, seconds, what):
    sys.stderr.write(f"{time.time():.1f} waiting for {what}\n")
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def committed_offsets(topic, group_id, partitions):
    """The group's commits for the partitions, read by kafka-python (whatever CLIENT is)."""
    import kafka
    consumer = kafka.KafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=group_id, enable_auto_commit=False)
    try:
        return {partition: consumer.committed(kafka.TopicPartition(topic, partition)) for partition in partitions}
    finally:
        consumer.close(autocommit=False)


def group(topic, group_id, count):
    first_client, second_client = (CLIENT.split("+") + [CLIENT])[:2]
    first = member(first_client, topic, group_id)
    wait_until(lambda: first.assignment, 30, "the first member's assignment")
    second = member(second_client, topic, group_id)
    wait_until(lambda: first.assignment and second.assignment
               and not set(first.assignment) & set(second.assignment), 40, "two disjoint assignments")
    # A member commits the positions it holds; a rebalance between its last poll and the
    # commit (a heartbeat late on a loaded machine) leaves it fewer. So the commits are
    # checked against what was read, and made again when they fall short.
    for attempt in range(1, 6):
        wait_until(lambda: first.caught_up and second.caught_up
                   and len(set(first.records) | set(second.records)) >= count, 30, f"{count} records read")
        split = [list(first.assignment), list(second.assignment)]
        first.commit()
        second.commit()
        ends = {}
        for partition, offset in first.records + second.records:
            ends[partition] = max(ends.get(partition, 0), offset + 1)
        committed = committed_offsets(topic, group_id, sorted(ends))
        if committed == ends:
            break
        sys.stderr.write(f"commit attempt {attempt} left {committed}, not {ends}: committing again\n")
    else:
        raise SystemExit("the members' commits never covered every record read")
    described = describe_group(group_id)
    read = first.records + second.records
    second.close()
    partitions = len(split[0]) + len(split[1])
    wait_until(lambda: len(first.assignment) == partitions, 40, "the remaining member to take every partition")
    after = list(first.assignment)
    first.close()
    emit({"first": split, "after_leave": after, "read": len(read), "distinct": len(set(read)), "commit_attempts": attempt,
          "described": described})


def describe_group(group_id):
    """The group as librdkafka's AdminClient describes it (ConsumerGroupDescribe for a group of the
    consumer protocol, DescribeGroups for a classic one): its type, state, assignor and members'
    partitions, sorted."""
    from confluent_kafka import admin as cadmin
    client = cadmin.AdminClient({"bootstrap.servers": BOOTSTRAP})
    group = client.describe_consumer_groups([group_id])[group_id].result(10)
    return {"type": group.type.name, "state": group.state.name, "assignor": group.partition_assignor,
            "members": sorted(sorted(tp.partition for tp in member.assignment.topic_partitions)
                              for member in group.members)}


def resume(topic, group_id, count):
    reader = member(CLIENT, topic, group_id)
    wait_until(lambda: len(reader.records) >= count, 30, f"{count} records")
    time.sleep(0.5)  # anything more than COUNT would show up as a failure
    reader.close()
    emit({"offsets": sorted(reader.records)})


# ---- single requests ----

def times(topic, stamps):
    result = {}
    if CLIENT == "librdkafka":
        import confluent_kafka
        consumer = confluent_kafka.Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": "weir-times"})
        for stamp in stamps:
            found = consumer.offsets_for_times([confluent_kafka.TopicPartition(topic, 0, stamp)], timeout=10)[0]
            result[str(stamp)] = None if found.offset < 0 else found.offset
        consumer.close()
    elif CLIENT == "kafka-python":
        import kafka
        consumer = kafka.KafkaConsumer(bootstrap_servers=BOOTSTRAP)
        for stamp in stamps:
            found = consumer.offsets_for_times({kafka.TopicPartition(topic, 0): stamp})[kafka.TopicPartition(topic, 0)]
            result[str(stamp)] = None if found is None else found.offset
        consumer.close()
    else:
        async def run():
            import aiokafka
            consumer = aiokafka.AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP)
            await consumer.start()
            try:
                for stamp in stamps:
                    part = aiokafka.TopicPartition(topic, 0)
                    found = (await consumer.offsets_for_times({part: stamp}))[part]
                    result[str(stamp)] = None if found is None else found.offset
            finally:
                await consumer.stop()
        asyncio.run(run())
    emit(result)


def max_timestamp(topic, stamps):
    """Records with the given timestamps, then AdminClient.list_offsets with the max-timestamp,
    earliest and latest specs (librdkafka's ListOffsets v7+)."""
    import confluent_kafka
    from confluent_kafka import admin as cadmin
    producer = confluent_kafka.Producer({"bootstrap.servers": BOOTSTRAP, "linger.ms": 0})
    for index, stamp in enumerate(stamps):
        producer.produce(topic, value=b"r%d" % index, partition=0, timestamp=stamp)
        producer.flush(10)
    client = cadmin.AdminClient({"bootstrap.servers": BOOTSTRAP})
    result = {}
    for name, spec in (("max", cadmin.OffsetSpec.max_timestamp()), ("earliest", cadmin.OffsetSpec.earliest()),
                       ("latest", cadmin.OffsetSpec.latest())):
        part = confluent_kafka.TopicPartition(topic, 0)
        found = client.list_offsets({part: spec}, request_timeout=10)[part].result(10)
        result[name] = {"offset": found.offset, "timestamp": found.timestamp}
    emit(result)


def read_partition(topic, start, count, settings=None):
    """Reads partition 0 from START (an offset, or 'earliest') until COUNT records; returns them."""
    records, deadline = [], time.time() + 30
    if CLIENT == "librdkafka":
        import confluent_kafka
        consumer = confluent_kafka.Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": "weir-read",
                                             "enable.auto.commit": False, "auto.offset.reset": "earliest",
                                             **(settings or {})})
        offset = confluent_kafka.OFFSET_BEGINNING if start == "earliest" else start
        consumer.assign([confluent_kafka.TopicPartition(topic, 0, offset)])
        while len(records) < count and time.time() < deadline:
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                records.append((message.offset(), message.value()))
        consumer.close()
    elif CLIENT == "kafka-python":
        import kafka
        consumer = kafka.KafkaConsumer(bootstrap_servers=BOOTSTRAP, auto_offset_reset="earliest",
                                       enable_auto_commit=False, **(settings or {}))
        part = kafka.TopicPartition(topic, 0)
        consumer.assign([part])
        consumer.seek_to_beginning(part) if start == "earliest" else consumer.seek(part, start)
        while len(records) < count and time.time() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend((m.offset, m.value) for m in batch)
        consumer.close()
    else:
        async def run():
            import aiokafka
            consumer = aiokafka.AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, auto_offset_reset="earliest",
                                                 enable_auto_commit=False, **(settings or {}))
            await consumer.start()
            try:
                part = aiokafka.TopicPartition(topic, 0)
                consumer.assign([part])
                await consumer.seek_to_beginning(part) if start == "earliest" else consumer.seek(part, start)
                while len(records) < count and time.time() < deadline:
                    for batch in (await consumer.getmany(timeout_ms=500)).values():
                        records.extend((m.offset, m.value) for m in batch)
            finally:
                await consumer.stop()
        asyncio.run(run())
    return records


def produce_values(topic, values, settings):
    """Produces VALUES to partition 0; returns (offsets, error text or None)."""
    if CLIENT == "librdkafka":
        import confluent_kafka
        producer = confluent_kafka.Producer({"bootstrap.servers": BOOTSTRAP, **settings.get("librdkafka", {})})
        offsets, errors = [], []

        def report(error, message):
            if error is not None:
                errors.append(error.name())
            else:
                offsets.append(message.offset())
        for value in values:
            producer.produce(topic, value=value, partition=0, on_delivery=report)
        producer.flush(30)
        return offsets, (errors[0] if errors else None)
    if CLIENT == "kafka-python":
        import kafka
        producer = kafka.KafkaProducer(bootstrap_servers=BOOTSTRAP, **settings.get("kafka-python", {}))
        futures = [producer.send(topic, value=value, partition=0) for value in values]
        offsets, error = [], None
        for future in futures:
            try:
                offsets.append(future.get(timeout=30).offset)
            except Exception as failure:  # the broker's refusal, as the client reports it
                error = type(failure).__name__
        producer.close(timeout=5)
        return offsets, error

    async def run():
        import aiokafka
        producer = aiokafka.AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, **settings.get("aiokafka", {}))
        await producer.start()
        offsets, error = [], None
        try:
            for value in values:
                try:
                    offsets.append((await producer.send_and_wait(topic, value, partition=0)).offset)
                except Exception as failure:
                    error = type(failure).__name__
        finally:
            await producer.stop()
        return offsets, error
    return asyncio.run(run())


def large(topic, size):
    value = bytes((index * 7) % 251 for index in range(size))
    limits = {"librdkafka": {"message.max.bytes": 4 << 20},
              "kafka-python": {"max_request_size": 4 << 20},
              "aiokafka": {"max_request_size": 4 << 20}}
    _, error = produce_values(topic, [value], limits)
    if error is not None:
        emit({"error": error, "read": None})
        return
    records = read_partition(topic, "earliest", 1)
    emit({"error": None, "read": len(records[0][1]) if records and records[0][1] == value else None})


def out_of_range(topic, offset):
    records = read_partition(topic, offset, 1)
    emit({"first_offset": records[0][0] if records else None})


def idempotent(topic, count):
    settings = {"librdkafka": {"enable.idempotence": True, "linger.ms": 2},
                "kafka-python": {"enable_idempotence": True, "acks": "all"},
                "aiokafka": {"enable_idempotence": True}}
    offsets, error = produce_values(topic, [b"idempotent-%d" % index for index in range(count)], settings)
    emit({"offsets": offsets, "error": error})


def sasl(topic, mechanism, user, password):
    values = [b"sasl-%d" % index for index in range(3)]
    settings = {"librdkafka": {"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": mechanism, "sasl.username": user,
                               "sasl.password": password, "message.timeout.ms": 3000},
                "kafka-python": {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": mechanism, "sasl_plain_username": user,
                                 "sasl_plain_password": password, "max_block_ms": 3000, "bootstrap_timeout_ms": 3000},
                "aiokafka": {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": mechanism, "sasl_plain_username": user,
                             "sasl_plain_password": password}}
    try:
        offsets, error = produce_values(topic, values, settings)
    except Exception as failure:  # the client could not connect at all
        offsets, error = [], type(failure).__name__
    if error is not None or not offsets:
        emit({"error": error or "nothing written"})
        return
    consumer_settings = {"librdkafka": {k: v for k, v in settings["librdkafka"].items() if k != "message.timeout.ms"},
                         "kafka-python": {k: v for k, v in settings["kafka-python"].items() if k not in ("max_block_ms", "bootstrap_timeout_ms")},
                         "aiokafka": settings["aiokafka"]}[CLIENT]
    records = read_partition(topic, "earliest", 3, consumer_settings)
    emit({"values": [value.decode() for _, value in records]})


def admin(topic):
    if CLIENT == "librdkafka":
        from confluent_kafka import admin as cadmin
        client = cadmin.AdminClient({"bootstrap.servers": BOOTSTRAP})
        client.create_topics([cadmin.NewTopic(topic, 3, 1, config={"retention.ms": "3600000"})])[topic].result(10)
        after_create = sorted(client.list_topics(timeout=10).topics)
        client.create_partitions([cadmin.NewPartitions(topic, 5)])[topic].result(10)
        partitions = len(client.list_topics(topic, timeout=10).topics[topic].partitions)
        resource = cadmin.ConfigResource(cadmin.ResourceType.TOPIC, topic)
        retention = client.describe_configs([resource])[resource].result(10)["retention.ms"].value
        client.delete_topics([topic])[topic].result(10)
        after_delete = sorted(client.list_topics(timeout=10).topics)
    elif CLIENT == "kafka-python":
        import kafka
        from kafka.admin import NewTopic, NewPartitions, ConfigResource, ConfigResourceType
        client = kafka.KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
        client.create_topics([NewTopic(topic, 3, 1, topic_configs={"retention.ms": "3600000"})])
        after_create = sorted(client.list_topics())
        client.create_partitions({topic: NewPartitions(5)})
        partitions = len(client.describe_topics([topic])[0]["partitions"])
        described = client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        retention = str(described)  # checked for the value by the test
        client.delete_topics([topic])
        after_delete = sorted(client.list_topics())
        client.close()
    else:
        async def run():
            from aiokafka.admin import AIOKafkaAdminClient, NewTopic, NewPartitions
            from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
            client = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
            await client.start()
            try:
                await client.create_topics([NewTopic(topic, 3, 1, topic_configs={"retention.ms": "3600000"})])
                created = sorted(await client.list_topics())
                await client.create_partitions({topic: NewPartitions(5)})
                described_topics = await client.describe_topics([topic])
                count = len(described_topics[0]["partitions"])
                described = await client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
                await client.delete_topics([topic])
                deleted = sorted(await client.list_topics())
                return created, count, str(described), deleted
            finally:
                await client.close()
        after_create, partitions, retention, after_delete = asyncio.run(run())
    emit({"after_create": after_create, "partitions": partitions, "retention": retention, "after_delete": after_delete})


def configs(topic):
    """Described by kafka-python, whose admin client hands out the synonyms as the broker lists
    them (librdkafka's keys them by name, so a name given at two levels shows once)."""
    import kafka
    from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
    client = kafka.KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    client.create_topics([NewTopic(topic, 1, 1, topic_configs={"retention.ms": "3600000"})])
    described = client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)],
                                        include_synonyms=True, config_filter="all")["topic"][topic]
    entries = {name: {"value": entry["value"], "source": entry["config_source"],
                      "synonyms": [[synonym["name"], synonym["value"], synonym["source"]]
                                   for synonym in entry.get("synonyms", [])]}
               for name, entry in described.items()}
    unknown_error = None
    try:
        client.create_topics([NewTopic(topic + "-odd", 1, 1, topic_configs={"no.such.config": "1"})])
    except Exception as error:
        unknown_error = str(error)
    client.close()
    emit({"configs": entries, "unknown_name_error": unknown_error})

def fetch_session(topic, count):
    import logging
    import re
    import kafka

    class Watch(logging.Handler):
        created, incremental, refused = 0, [], []

        def emit(self, record):
            text = record.getMessage()
            if "created a new incremental fetch session" in text:
                Watch.created += 1
            elif found := re.search(r"incremental fetch response for session \d+ with (\d+) response partitions", text):
                Watch.incremental.append(int(found.group(1)))
            elif "invalid" in text:
                Watch.refused.append(text)

    fetcher_log = logging.getLogger("kafka.consumer.fetcher")
    fetcher_log.setLevel(logging.DEBUG)
    fetcher_log.addHandler(Watch())
    consumer = kafka.KafkaConsumer(bootstrap_servers=BOOTSTRAP, fetch_max_wait_ms=100, enable_auto_commit=False)
    partitions = [kafka.TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    read, deadline = [], time.time() + 30
    while len(read) < count and time.time() < deadline:
        read += [m for batch in consumer.poll(timeout_ms=200).values() for m in batch]
    producer = kafka.KafkaProducer(bootstrap_servers=BOOTSTRAP)
    for index in range(10):
        producer.send(topic, value=b"more-%d" % index, partition=0)
    producer.flush(10)
    producer.close()
    while len(read) < count + 10 and time.time() < deadline:
        read += [m for batch in consumer.poll(timeout_ms=200).values() for m in batch]
    for _ in range(5):  # a few idle fetches: nothing changed, nothing listed
        consumer.poll(timeout_ms=200)
    consumer.close()
    emit({"read": len({(m.partition, m.offset) for m in read}), "created": Watch.created,
          "incremental": Watch.incremental, "refused": Watch.refused})


def pattern(expression, count):
    import confluent_kafka
    consumer = confluent_kafka.Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": "by-pattern",
                                         "group.protocol": "consumer", "auto.offset.reset": "earliest"})
    consumer.subscribe([expression])
    read, deadline = set(), time.time() + 30
    while len(read) < count and time.time() < deadline:
        message = consumer.poll(0.2)
        if message is not None and message.error() is None:
            read.add((message.topic(), message.partition(), message.offset()))
    assignment = sorted([tp.topic, tp.partition] for tp in consumer.assignment())
    consumer.close()
    emit({"topics": sorted({entry[0] for entry in read}), "read": len(read), "assignment": assignment})


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[4:]
    if command == "group":
        group(arguments[0], arguments[1], int(arguments[2]))
    elif command == "resume":
        resume(arguments[0], arguments[1], int(arguments[2]))
    elif command == "times":
        times(arguments[0], [int(stamp) for stamp in arguments[1:]])
    elif command == "max-timestamp":
        max_timestamp(arguments[0], [int(stamp) for stamp in arguments[1:]])
    elif command == "large":
        large(arguments[0], int(arguments[1]))
    elif command == "out-of-range":
        out_of_range(arguments[0], int(arguments[1]))
    elif command == "idempotent":
        idempotent(arguments[0], int(arguments[1]))
    elif command == "sasl":
        sasl(arguments[0], arguments[1], arguments[2], arguments[3])
    elif command == "admin":
        admin(arguments[0])
    elif command == "pattern":
        pattern(arguments[0], int(arguments[1]))
    elif command == "fetch-session":
        fetch_session(arguments[0], int(arguments[1]))
    elif command == "configs":
        configs(arguments[0])
    else:
        raise SystemExit(__doc__)
