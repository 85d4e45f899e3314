#ifndef WEIR_CCOMPRESSION_H
#define WEIR_CCOMPRESSION_H

#include <stddef.h>
#include <stdint.h>

/// Results of the helpers below. On success the output buffer is malloc'd and
/// belongs to the caller, who frees it with free().
typedef enum {
    weir_codec_ok = 0,
    weir_codec_corrupt = 1,         // the input is not valid for this codec
    weir_codec_too_large = 2,       // the output would exceed max_output
    weir_codec_out_of_memory = 3,
    weir_codec_unavailable = 4,     // the codec's shared library could not be loaded
} weir_codec_status;

/// gzip (RFC 1952) with zlib, as Kafka's gzip codec writes it.
weir_codec_status weir_gzip_compress(const uint8_t *input, size_t length, int level,
                                     uint8_t **output, size_t *output_length);
/// Inflates one or more concatenated gzip members (zlib streams are accepted too).
weir_codec_status weir_gzip_decompress(const uint8_t *input, size_t length, size_t max_output,
                                       uint8_t **output, size_t *output_length);

/// Plain CRC-32 (IEEE, zlib's), which legacy magic 0 and 1 messages carry.
uint32_t weir_crc32_ieee(uint32_t crc, const uint8_t *bytes, size_t length);

/// zstd through libzstd.so.1, loaded on first use so the build needs no zstd
/// headers. Returns 1 when the library is loaded.
int weir_zstd_load(void);
/// Why loading failed, or NULL.
const char *weir_zstd_load_error(void);
weir_codec_status weir_zstd_compress(const uint8_t *input, size_t length, int level,
                                     uint8_t **output, size_t *output_length);
/// Decompresses one or more concatenated zstd frames, with or without a content size.
weir_codec_status weir_zstd_decompress(const uint8_t *input, size_t length, size_t max_output,
                                       uint8_t **output, size_t *output_length);

#endif
