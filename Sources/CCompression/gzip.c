// gzip for record batches, through the system zlib.

#include "CCompression.h"
#include <stdlib.h>
#include <zlib.h>

weir_codec_status weir_gzip_compress(const uint8_t *input, size_t length, int level,
                                     uint8_t **output, size_t *output_length) {
    z_stream stream = {0};
    // windowBits 15 + 16 asks zlib for a gzip header and trailer.
    if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return weir_codec_out_of_memory;
    size_t capacity = deflateBound(&stream, (uLong)length);
    uint8_t *buffer = malloc(capacity ? capacity : 1);
    if (!buffer) { deflateEnd(&stream); return weir_codec_out_of_memory; }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = buffer;
    stream.avail_out = (uInt)capacity;
    int result = deflate(&stream, Z_FINISH);
    deflateEnd(&stream);
    if (result != Z_STREAM_END) { free(buffer); return weir_codec_out_of_memory; }
    *output = buffer;
    *output_length = stream.total_out;
    return weir_codec_ok;
}

weir_codec_status weir_gzip_decompress(const uint8_t *input, size_t length, size_t max_output,
                                       uint8_t **output, size_t *output_length) {
    if (length == 0) return weir_codec_corrupt; // not even a gzip header
    size_t capacity = length * 4 + 64;
    if (capacity > max_output) capacity = max_output;
    if (capacity == 0) capacity = 1;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) return weir_codec_out_of_memory;
    size_t produced = 0, consumed = 0;
    weir_codec_status status = weir_codec_ok;
    // One gzip member per pass; Kafka writes one, but concatenated members are valid gzip.
    while (consumed < length && status == weir_codec_ok) {
        z_stream stream = {0};
        // 15 + 32: detect a gzip or zlib header automatically.
        if (inflateInit2(&stream, 15 + 32) != Z_OK) { status = weir_codec_out_of_memory; break; }
        stream.next_in = (Bytef *)input + consumed;
        stream.avail_in = (uInt)(length - consumed);
        for (;;) {
            if (produced == capacity) {
                if (capacity >= max_output) { status = weir_codec_too_large; break; }
                size_t grown = capacity * 2 > max_output ? max_output : capacity * 2;
                uint8_t *bigger = realloc(buffer, grown);
                if (!bigger) { status = weir_codec_out_of_memory; break; }
                buffer = bigger;
                capacity = grown;
            }
            stream.next_out = buffer + produced;
            stream.avail_out = (uInt)(capacity - produced);
            int result = inflate(&stream, Z_NO_FLUSH);
            produced = capacity - stream.avail_out;
            if (result == Z_STREAM_END) break;
            if (result == Z_BUF_ERROR && stream.avail_out != 0) { status = weir_codec_corrupt; break; }
            if (result != Z_OK && result != Z_BUF_ERROR) { status = weir_codec_corrupt; break; }
        }
        consumed = length - stream.avail_in;
        inflateEnd(&stream);
    }
    if (status != weir_codec_ok) { free(buffer); return status; }
    *output = buffer;
    *output_length = produced;
    return weir_codec_ok;
}

uint32_t weir_crc32_ieee(uint32_t crc, const uint8_t *bytes, size_t length) {
    while (length > 0) {
        uInt chunk = length > 0x40000000u ? 0x40000000u : (uInt)length;
        crc = (uint32_t)crc32(crc, bytes, chunk);
        bytes += chunk;
        length -= chunk;
    }
    return crc;
}
