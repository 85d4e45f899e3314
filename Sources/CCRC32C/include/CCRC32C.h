#ifndef WEIR_CCRC32C_H
#define WEIR_CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Extends a CRC-32C (Castagnoli) over `length` bytes. Start with crc = 0;
/// feeding a buffer in pieces gives the same result as feeding it whole.
/// Uses the CPU's CRC32 instruction when it has one (SSE4.2, ARMv8 CRC).
uint32_t weir_crc32c_update(uint32_t crc, const void *bytes, size_t length);

/// The same CRC computed with portable slicing-by-8 tables, whatever the CPU.
/// Exposed so tests can check both paths against each other.
uint32_t weir_crc32c_update_portable(uint32_t crc, const void *bytes, size_t length);

/// 1 when weir_crc32c_update uses a hardware instruction on this machine.
int weir_crc32c_is_hardware_accelerated(void);

#endif
