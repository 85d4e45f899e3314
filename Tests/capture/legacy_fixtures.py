#!/usr/bin/env python3
"""Write legacy (magic 0 and 1) message sets with kafka-python's own builder.

kafka-python is a third-party encoder of the pre-0.11 formats, so these files
check that Weir reads what a real client wrote. Each file holds five messages
(keys k0..k4, values v0..v4, timestamps 1600000000000 + i for magic 1); the
compressed ones are a single wrapper message. Output:
Tests/KafkaProtocolTests/Fixtures/legacy/magic<M>-<codec>.bin

Usage: legacy_fixtures.py   (needs kafka-python)
"""
import os

from kafka.record.legacy_records import LegacyRecordBatchBuilder

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "KafkaProtocolTests", "Fixtures", "legacy")
CODECS = {"none": 0, "gzip": 1}  # snappy and lz4 need optional Python modules

os.makedirs(OUT, exist_ok=True)
for magic in (0, 1):
    for name, codec in CODECS.items():
        builder = LegacyRecordBatchBuilder(magic=magic, compression_type=codec, batch_size=1 << 20)
        for index in range(5):
            timestamp = 1600000000000 + index if magic == 1 else None
            builder.append(index, timestamp=timestamp, key=b"k%d" % index, value=b"v%d" % index)
        with open(os.path.join(OUT, f"magic{magic}-{name}.bin"), "wb") as handle:
            handle.write(bytes(builder.build()))
print("wrote", sorted(os.listdir(OUT)))
