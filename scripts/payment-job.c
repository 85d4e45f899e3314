// The seeds' payment job written by hand for this one record shape: a yardstick of what
// one core of the machine at hand can do, run beside `scripts/bench-sql.sh` (BENCHMARKS.md).
// Not a general JSON reader: fields in the generator's order, no escapes, no checks.
//
//   cc -O2 -o /tmp/payment-job scripts/payment-job.c && /tmp/payment-job /tmp/weir-payments-10000000-42.json
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <fcntl.h>
#include <unistd.h>
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2; int64_t era = (y >= 0 ? y : y-399) / 400; unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153*(m > 2 ? m-3 : m+9) + 2)/5 + d-1; unsigned doe = yoe * 365 + yoe/4 - yoe/100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}
static inline int d2(const char *p) { return (p[0]-'0')*10 + p[1]-'0'; }
static const char *field(const char *p, const char *name, int len) { // p at '"'
    while (*p != '"') p++;
    if (memcmp(p + 1, name, len) != 0 || p[len+1] != '"') abort();
    p += len + 2; while (*p == ':' || *p == ' ') p++; return p;
}
static const char *skip(const char *p) { while (*p != ',' && *p != '}') p++; return p + 1; }
static const char *num(const char *p, int64_t *m, int *frac) { int64_t v = 0; int f = -1; int neg = *p == '-'; p += neg;
    for (;; p++) { if (*p >= '0' && *p <= '9') { v = v*10 + *p-'0'; if (f >= 0) f++; } else if (*p == '.') f = 0; else break; }
    *m = neg ? -v : v; *frac = f < 0 ? 0 : f; return p; }
static const double p10[] = {1,10,100,1000,1e4,1e5,1e6,1e7,1e8,1e9,1e10};
#define SLOTS 4096
struct slot { int64_t end; int64_t key; double sum; int used; } table[SLOTS];
int main(int argc, char **argv) {
    int fd = open(argv[1], O_RDONLY); size_t cap = 4<<20; char *buf = malloc(cap+1); size_t filled = 0; long n = 0; double total = 0; long fired = 0;
    int64_t wm = INT64_MIN, size = 5000000;
    for (;;) {
        ssize_t r = read(fd, buf + filled, cap - filled); if (r <= 0) break; filled += r;
        char *p = buf, *end = buf + filled;
        for (;;) {
            char *nl = memchr(p, '\n', end - p); if (!nl) break;
            const char *q = field(p + 1, "createTime", 10); q++;
            int y = d2(q)*100 + d2(q+2), mo = d2(q+5), d = d2(q+8), h = d2(q+11), mi = d2(q+14), s = d2(q+17);
            int64_t t = (days_from_civil(y, mo, d) * 86400 + h*3600 + mi*60 + s) * 1000000LL; q += 20; q = skip(q);
            q = field(q, "orderId", 7); q = skip(q);
            int64_t m; int f; q = field(q, "payAmount", 9); q = num(q, &m, &f); double amt = (double)m / p10[f]; q = skip(q);
            q = field(q, "payPlatform", 11); q = skip(q);
            q = field(q, "provinceId", 10); int64_t prov; q = num(q, &prov, &f);
            int64_t start = t - (t % size), wend = start + size;
            if (wend - 1000 > wm) {
                uint64_t hh = (uint64_t)(wend * 31 + prov) * 0x9E3779B97F4A7C15ull; unsigned i = hh >> 52;
                while (table[i].used && !(table[i].end == wend && table[i].key == prov)) i = (i + 1) & (SLOTS-1);
                if (!table[i].used) { table[i].used = 1; table[i].end = wend; table[i].key = prov; table[i].sum = 0; }
                table[i].sum += amt;
            }
            int64_t w = t - 2000000; if (w > wm) { int64_t old = wm; wm = w; if (old == INT64_MIN || (wm + 1000) / size != (old + 1000) / size) for (int i = 0; i < SLOTS; i++) if (table[i].used && table[i].end - 1000 <= wm) { total += table[i].sum; table[i].used = 0; fired++; } }
            n++; p = nl + 1;
        }
        memmove(buf, p, end - p); filled = end - p;
    }
    printf("%ld events, %ld windows, %f\n", n, fired, total);
}
