// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as Kafka's magic-v2
// record batches use. Two implementations: the CPU's CRC32 instruction, run as
// three independent streams whose results are combined (the instruction has a
// latency of three cycles but a throughput of one, so one stream leaves two
// thirds of the unit idle), and a portable slicing-by-8 table walk.

#include "CCRC32C.h"
#include <string.h>

#define POLY 0x82F63B78u

static uint32_t table[8][256];
// shift_tables[k][b]: the CRC operator "append `block_size` zero bytes" applied
// to byte b placed in position k of a 32-bit CRC, for the interleaved path.
static uint32_t shift_tables[4][256];
static int tables_ready = 0;

enum { block_size = 4096 }; // bytes per stream in one interleaved round

static uint32_t multiply_mod_p(uint32_t a, uint32_t b) {
    // Carry-less multiply of two reflected polynomials, reduced mod POLY.
    uint32_t product = 0;
    for (int bit = 0; bit < 32; bit++) {
        if (a & 0x80000000u) product ^= b;
        a <<= 1;
        b = (b & 1) ? (b >> 1) ^ POLY : b >> 1;
    }
    return product;
}

static uint32_t x_to_the_power_of_8n(size_t byte_count) {
    // x^(8n) mod P in reflected form; 0x80000000 is x^0.
    uint32_t result = 0x80000000u, square = 0x00800000u; // square = x^8
    size_t exponent = byte_count;
    while (exponent) {
        if (exponent & 1) result = multiply_mod_p(result, square);
        square = multiply_mod_p(square, square);
        exponent >>= 1;
    }
    return result;
}

static void build_tables(void) {
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; bit++) crc = (crc & 1) ? (crc >> 1) ^ POLY : crc >> 1;
        table[0][byte] = crc;
    }
    for (uint32_t byte = 0; byte < 256; byte++) {
        for (int slice = 1; slice < 8; slice++) {
            uint32_t previous = table[slice - 1][byte];
            table[slice][byte] = (previous >> 8) ^ table[0][previous & 0xFF];
        }
    }
    uint32_t shift = x_to_the_power_of_8n(block_size);
    for (int position = 0; position < 4; position++) {
        for (uint32_t byte = 0; byte < 256; byte++) {
            shift_tables[position][byte] = multiply_mod_p(byte << (8 * position), shift);
        }
    }
    __atomic_store_n(&tables_ready, 1, __ATOMIC_RELEASE);
}

static inline void ensure_tables(void) {
    if (!__atomic_load_n(&tables_ready, __ATOMIC_ACQUIRE)) build_tables(); // idempotent
}

static inline uint32_t shift_by_block(uint32_t crc) {
    return shift_tables[0][crc & 0xFF] ^ shift_tables[1][(crc >> 8) & 0xFF] ^
           shift_tables[2][(crc >> 16) & 0xFF] ^ shift_tables[3][crc >> 24];
}

uint32_t weir_crc32c_update_portable(uint32_t crc, const void *bytes, size_t length) {
    ensure_tables();
    const uint8_t *p = bytes;
    crc = ~crc;
    while (length && ((uintptr_t)p & 7)) { crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xFF]; length--; }
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        word = __builtin_bswap64(word);
#endif
        uint32_t low = (uint32_t)word ^ crc, high = (uint32_t)(word >> 32);
        crc = table[7][low & 0xFF] ^ table[6][(low >> 8) & 0xFF] ^ table[5][(low >> 16) & 0xFF] ^
              table[4][low >> 24] ^ table[3][high & 0xFF] ^ table[2][(high >> 8) & 0xFF] ^
              table[1][(high >> 16) & 0xFF] ^ table[0][high >> 24];
        p += 8;
        length -= 8;
    }
    while (length--) crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xFF];
    return ~crc;
}

#if defined(__x86_64__)
#include <nmmintrin.h>
#define HW_ATTRIBUTE __attribute__((target("sse4.2")))
#define HW_CRC_U64(crc, word) ((uint32_t)_mm_crc32_u64((crc), (word)))
#define HW_CRC_U8(crc, byte) _mm_crc32_u8((crc), (byte))
static int hardware_available(void) { return __builtin_cpu_supports("sse4.2"); }
#elif defined(__aarch64__)
#include <sys/auxv.h>
#define HW_ATTRIBUTE __attribute__((target("+crc")))
#define HW_CRC_U64(crc, word) __builtin_arm_crc32cd((crc), (word))
#define HW_CRC_U8(crc, byte) __builtin_arm_crc32cb((crc), (byte))
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif
static int hardware_available(void) { return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0; }
#endif

#ifdef HW_ATTRIBUTE
HW_ATTRIBUTE static uint32_t hardware_update(uint32_t crc, const uint8_t *p, size_t length) {
    crc = ~crc;
    while (length && ((uintptr_t)p & 7)) { crc = HW_CRC_U8(crc, *p++); length--; }
    // Three streams of block_size bytes each, then fold the first two into the third.
    while (length >= 3 * block_size) {
        uint32_t crc1 = 0, crc2 = 0;
        const uint8_t *end = p + block_size;
        do {
            uint64_t a, b, c;
            memcpy(&a, p, 8);
            memcpy(&b, p + block_size, 8);
            memcpy(&c, p + 2 * block_size, 8);
            crc = HW_CRC_U64(crc, a);
            crc1 = HW_CRC_U64(crc1, b);
            crc2 = HW_CRC_U64(crc2, c);
            p += 8;
        } while (p < end);
        crc = shift_by_block(crc) ^ crc1;
        crc = shift_by_block(crc) ^ crc2;
        p += 2 * block_size;
        length -= 3 * block_size;
    }
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        crc = HW_CRC_U64(crc, word);
        p += 8;
        length -= 8;
    }
    while (length--) crc = HW_CRC_U8(crc, *p++);
    return ~crc;
}
#endif

static int hardware_state = -1; // -1 unknown, 0 no, 1 yes

int weir_crc32c_is_hardware_accelerated(void) {
#ifdef HW_ATTRIBUTE
    int state = __atomic_load_n(&hardware_state, __ATOMIC_RELAXED);
    if (state < 0) {
        state = hardware_available() ? 1 : 0;
        __atomic_store_n(&hardware_state, state, __ATOMIC_RELAXED);
    }
    return state;
#else
    return 0;
#endif
}

uint32_t weir_crc32c_update(uint32_t crc, const void *bytes, size_t length) {
#ifdef HW_ATTRIBUTE
    if (weir_crc32c_is_hardware_accelerated()) {
        if (length >= 3 * block_size) ensure_tables();
        return hardware_update(crc, bytes, length);
    }
#endif
    return weir_crc32c_update_portable(crc, bytes, length);
}
