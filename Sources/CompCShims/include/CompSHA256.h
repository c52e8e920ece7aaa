#ifndef COMP_SHA256_H
#define COMP_SHA256_H

#include <stddef.h>
#include <stdint.h>

/// Compresses `blocks` 64-byte blocks at `data` into `state` (8 words, FIPS 180-4 order) with the
/// x86 SHA extensions. Call only when comp_sha256_hardware() is true.
void comp_sha256_blocks_hardware(uint32_t state[8], const uint8_t *data, size_t blocks);

/// True when this CPU has the SHA extensions (and SSSE3/SSE4.1) that
/// comp_sha256_blocks_hardware needs.
int comp_sha256_hardware(void);

#endif
