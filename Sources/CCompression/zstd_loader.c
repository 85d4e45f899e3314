// zstd through libzstd.so.1, loaded with dlopen on first use. The build needs
// no zstd headers, so the few declarations used are written out here; they are
// zstd's stable ABI (the streaming structs have not changed since v1.0).

#include "CCompression.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct { const void *src; size_t size; size_t pos; } zstd_in_buffer;
typedef struct { void *dst; size_t size; size_t pos; } zstd_out_buffer;

static struct {
    size_t (*compress_bound)(size_t);
    size_t (*compress)(void *, size_t, const void *, size_t, int);
    unsigned (*is_error)(size_t);
    void *(*create_dstream)(void);
    size_t (*free_dstream)(void *);
    size_t (*decompress_stream)(void *, zstd_out_buffer *, zstd_in_buffer *);
} zstd;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static char load_error[256];

static void load(void) {
    const char *names[] = {"libzstd.so.1", "libzstd.so", "libzstd.1.dylib", "libzstd.dylib"};
    void *library = NULL;
    for (size_t index = 0; index < sizeof names / sizeof *names && !library; index++)
        library = dlopen(names[index], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(load_error, sizeof load_error,
                 "zstd compression needs libzstd (install the Debian package libzstd1)");
        return;
    }
    zstd.compress_bound = dlsym(library, "ZSTD_compressBound");
    zstd.compress = dlsym(library, "ZSTD_compress");
    zstd.is_error = dlsym(library, "ZSTD_isError");
    zstd.create_dstream = dlsym(library, "ZSTD_createDStream");
    zstd.free_dstream = dlsym(library, "ZSTD_freeDStream");
    zstd.decompress_stream = dlsym(library, "ZSTD_decompressStream");
    if (!zstd.compress_bound || !zstd.compress || !zstd.is_error || !zstd.create_dstream ||
        !zstd.free_dstream || !zstd.decompress_stream) {
        snprintf(load_error, sizeof load_error,
                 "the libzstd found lacks the streaming API (install a current libzstd1)");
        return;
    }
    loaded = 1;
}

int weir_zstd_load(void) {
    pthread_once(&load_once, load);
    return loaded;
}

const char *weir_zstd_load_error(void) {
    return weir_zstd_load() ? NULL : load_error;
}

weir_codec_status weir_zstd_compress(const uint8_t *input, size_t length, int level,
                                     uint8_t **output, size_t *output_length) {
    if (!weir_zstd_load()) return weir_codec_unavailable;
    size_t capacity = zstd.compress_bound(length);
    uint8_t *buffer = malloc(capacity ? capacity : 1);
    if (!buffer) return weir_codec_out_of_memory;
    size_t written = zstd.compress(buffer, capacity, input, length, level);
    if (zstd.is_error(written)) { free(buffer); return weir_codec_out_of_memory; }
    *output = buffer;
    *output_length = written;
    return weir_codec_ok;
}

weir_codec_status weir_zstd_decompress(const uint8_t *input, size_t length, size_t max_output,
                                       uint8_t **output, size_t *output_length) {
    if (!weir_zstd_load()) return weir_codec_unavailable;
    if (length == 0) return weir_codec_corrupt; // not even a frame header
    void *stream = zstd.create_dstream();
    if (!stream) return weir_codec_out_of_memory;
    size_t capacity = length * 4 + 64;
    if (capacity > max_output) capacity = max_output;
    if (capacity == 0) capacity = 1;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) { zstd.free_dstream(stream); return weir_codec_out_of_memory; }
    zstd_in_buffer in = {input, length, 0};
    zstd_out_buffer out = {buffer, capacity, 0};
    weir_codec_status status = weir_codec_ok;
    size_t last_result = 0;
    while (in.pos < in.size || last_result > 0) {
        if (out.pos == out.size) {
            if (capacity >= max_output) { status = weir_codec_too_large; break; }
            size_t grown = capacity * 2 > max_output ? max_output : capacity * 2;
            uint8_t *bigger = realloc(buffer, grown);
            if (!bigger) { status = weir_codec_out_of_memory; break; }
            buffer = bigger;
            capacity = grown;
            out.dst = buffer;
            out.size = capacity;
        }
        size_t before_in = in.pos, before_out = out.pos;
        last_result = zstd.decompress_stream(stream, &out, &in);
        if (zstd.is_error(last_result)) { status = weir_codec_corrupt; break; }
        // Input exhausted in the middle of a frame, with room left to write: truncated.
        if (in.pos == in.size && last_result > 0 && out.pos < out.size &&
            before_in == in.pos && before_out == out.pos) { status = weir_codec_corrupt; break; }
    }
    zstd.free_dstream(stream);
    if (status != weir_codec_ok) { free(buffer); return status; }
    *output = buffer;
    *output_length = out.pos;
    return weir_codec_ok;
}
