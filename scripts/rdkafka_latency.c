/*
 * Latency probes on librdkafka, for scripts/bench-broker.sh (the same client against
 * every broker measured).
 *
 *   rdkafka_latency produce BOOTSTRAP TOPIC RATE SECONDS
 *       produces 100-byte messages at RATE per second for SECONDS with acks=all and
 *       linger.ms=0, and prints the delivery latency (send to acknowledgement) of every
 *       message as "p50_ms p99_ms max_ms delivered".
 *   rdkafka_latency end-to-end BOOTSTRAP TOPIC COUNT
 *       sends one message every 10 ms (COUNT of them) carrying its send time, while a
 *       consumer with librdkafka's default fetch.wait.max.ms reads them; prints the
 *       produce-to-consume latency as "p50_ms p99_ms max_ms received".
 *
 * Build: cc -O2 -o rdkafka_latency scripts/rdkafka_latency.c -lrdkafka (Debian: librdkafka-dev).
 */
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t *latencies;
static size_t latency_count, latency_capacity;

static void note(int64_t nanoseconds) {
    if (latency_count == latency_capacity) {
        latency_capacity = latency_capacity ? latency_capacity * 2 : 1 << 16;
        latencies = realloc(latencies, latency_capacity * sizeof *latencies);
    }
    latencies[latency_count++] = nanoseconds;
}

static int by_value(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void report(void) {
    if (latency_count == 0) {
        printf("0 0 0 0\n");
        return;
    }
    qsort(latencies, latency_count, sizeof *latencies, by_value);
    double p50 = latencies[latency_count / 2] / 1e6;
    double p99 = latencies[(size_t)(latency_count * 0.99)] / 1e6;
    double max = latencies[latency_count - 1] / 1e6;
    printf("%.3f %.3f %.3f %zu\n", p50, p99, max, latency_count);
}

static void fail(const char *what, const char *error) {
    fprintf(stderr, "%s: %s\n", what, error);
    exit(1);
}

static rd_kafka_t *client(rd_kafka_type_t type, const char *bootstrap, const char **settings) {
    char error[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, error, sizeof error) != RD_KAFKA_CONF_OK) fail("config", error);
    for (; settings && settings[0]; settings += 2) {
        if (rd_kafka_conf_set(conf, settings[0], settings[1], error, sizeof error) != RD_KAFKA_CONF_OK) fail(settings[0], error);
    }
    if (type == RD_KAFKA_PRODUCER) {
        rd_kafka_conf_set_dr_msg_cb(conf, NULL);
    }
    rd_kafka_t *handle = rd_kafka_new(type, conf, error, sizeof error);
    if (!handle) fail("client", error);
    return handle;
}

/* Delivery reports carry the send time in the message's opaque pointer. */
static void delivered(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk;
    (void)opaque;
    if (message->err) {
        fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(message->err));
        return;
    }
    note(now_ns() - (int64_t)(intptr_t)message->_private);
}

static void produce(const char *bootstrap, const char *topic, double rate, double seconds) {
    char error[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *settings[] = {"bootstrap.servers", bootstrap, "acks", "all", "linger.ms", "0",
                              "queue.buffering.max.messages", "2000000", NULL};
    for (const char **s = settings; s[0]; s += 2) {
        if (rd_kafka_conf_set(conf, s[0], s[1], error, sizeof error) != RD_KAFKA_CONF_OK) fail(s[0], error);
    }
    rd_kafka_conf_set_dr_msg_cb(conf, delivered);
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (!producer) fail("producer", error);
    char payload[100];
    memset(payload, 'x', sizeof payload);
    /* Warm up: connect and learn the topic before the clock starts. */
    rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(payload, sizeof payload),
                      RD_KAFKA_V_OPAQUE((void *)(intptr_t)now_ns()), RD_KAFKA_V_END);
    rd_kafka_flush(producer, 10000);
    latency_count = 0;

    /* Messages are due every 1/RATE s; each is timed from when it was due, so a producer
     * that falls behind shows as latency (no coordinated omission). Between bursts the loop
     * waits in rd_kafka_poll (at most 1 ms) instead of spinning: a spinning probe would take
     * a core from the broker on a small machine. */
    int64_t start = now_ns(), interval = (int64_t)(1e9 / rate), end = start + (int64_t)(seconds * 1e9);
    int64_t next = start;
    while (next < end) {
        int64_t now = now_ns();
        while (next <= now && next < end) {
            rd_kafka_resp_err_t err = rd_kafka_producev(
                producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(payload, sizeof payload),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE((void *)(intptr_t)next), RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(producer, 1);
                continue;
            }
            next += interval;
        }
        rd_kafka_poll(producer, next - now_ns() > 1000000 ? 1 : 0);
    }
    rd_kafka_flush(producer, 30000);
    report();
    rd_kafka_destroy(producer);
}

static void end_to_end(const char *bootstrap, const char *topic, int count) {
    const char *producer_settings[] = {"acks", "all", "linger.ms", "0", NULL};
    rd_kafka_t *producer = client(RD_KAFKA_PRODUCER, bootstrap, producer_settings);
    const char *consumer_settings[] = {"group.id", "latency-probe", "enable.auto.commit", "false", NULL};
    rd_kafka_t *consumer = client(RD_KAFKA_CONSUMER, bootstrap, consumer_settings);
    rd_kafka_topic_partition_list_t *partitions = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(partitions, topic, 0)->offset = RD_KAFKA_OFFSET_END;
    rd_kafka_assign(consumer, partitions);
    rd_kafka_topic_partition_list_destroy(partitions);
    /* Let the consumer reach the end of the partition before the first message. */
    for (int64_t until = now_ns() + 2000000000LL; now_ns() < until;) {
        rd_kafka_message_t *message = rd_kafka_consumer_poll(consumer, 50);
        if (message) rd_kafka_message_destroy(message);
    }

    int sent = 0, received = 0;
    int64_t next = now_ns();
    while (received < count) {
        int64_t now = now_ns();
        if (sent < count && now >= next) {
            char value[32];
            int length = snprintf(value, sizeof value, "%lld", (long long)now);
            rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                              RD_KAFKA_V_VALUE(value, (size_t)length), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            sent++;
            next += 10000000;
        }
        rd_kafka_poll(producer, 0);
        rd_kafka_message_t *message = rd_kafka_consumer_poll(consumer, 1);
        if (!message) {
            if (sent == count && now_ns() - next > 10000000000LL) break; /* 10 s without the rest: give up */
            continue;
        }
        if (!message->err) {
            char text[32] = {0};
            memcpy(text, message->payload, message->len < 31 ? message->len : 31);
            note(now_ns() - atoll(text));
            received++;
        }
        rd_kafka_message_destroy(message);
    }
    report();
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    rd_kafka_flush(producer, 5000);
    rd_kafka_destroy(producer);
}

int main(int argc, char **argv) {
    if (argc == 6 && strcmp(argv[1], "produce") == 0) {
        produce(argv[2], argv[3], atof(argv[4]), atof(argv[5]));
    } else if (argc == 5 && strcmp(argv[1], "end-to-end") == 0) {
        end_to_end(argv[2], argv[3], atoi(argv[4]));
    } else {
        fprintf(stderr, "usage: rdkafka_latency produce BOOTSTRAP TOPIC RATE SECONDS | end-to-end BOOTSTRAP TOPIC COUNT\n");
        return 2;
    }
    return 0;
}
