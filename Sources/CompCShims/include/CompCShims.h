#ifndef COMP_C_SHIMS_H
#define COMP_C_SHIMS_H

#include <stdint.h>
#include <string.h>

#include "CompSHA256.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Classifies 16 bytes at `p` for the CSV scanner. Returns a 64-bit value whose bits 0-15 flag
/// commas, bits 16-31 newlines and bits 32-47 double quotes (bit i = byte i). The caller
/// guarantees 16 readable bytes.
static inline uint64_t comp_csv_classify16(const uint8_t *p) {
#if defined(__SSE2__)
    __m128i bytes = _mm_loadu_si128((const __m128i *)p);
    uint64_t commas = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(',')));
    uint64_t newlines = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('\n')));
    uint64_t quotes = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')));
    return commas | (newlines << 16) | (quotes << 32);
#else
    uint64_t result = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t c = p[i];
        if (c == ',') result |= (uint64_t)1 << i;
        else if (c == '\n') result |= (uint64_t)1 << (16 + i);
        else if (c == '"') result |= (uint64_t)1 << (32 + i);
    }
    return result;
#endif
}

/// Classifies 32 bytes at `p` for the CSV scanner: bits 0-31 of the result flag commas and bits
/// 32-63 newlines; `*quotes` gets the double quotes (bit i = byte i). The caller guarantees 32
/// readable bytes. (Two 16-byte halves: a ledger row of 60-70 bytes takes three steps, not five.)
static inline uint64_t comp_csv_classify32(const uint8_t *p, uint32_t *quotes) {
#if defined(__SSE2__)
    __m128i low = _mm_loadu_si128((const __m128i *)p);
    __m128i high = _mm_loadu_si128((const __m128i *)(p + 16));
    const __m128i comma = _mm_set1_epi8(','), newline = _mm_set1_epi8('\n'), quote = _mm_set1_epi8('"');
    uint64_t commas = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(low, comma))
        | ((uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(high, comma)) << 16);
    uint64_t newlines = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(low, newline))
        | ((uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(high, newline)) << 16);
    *quotes = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(low, quote))
        | ((uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(high, quote)) << 16);
    return commas | (newlines << 32);
#else
    uint64_t result = 0;
    uint32_t found = 0;
    for (int i = 0; i < 32; i++) {
        uint8_t c = p[i];
        if (c == ',') result |= (uint64_t)1 << i;
        else if (c == '\n') result |= (uint64_t)1 << (32 + i);
        else if (c == '"') found |= (uint32_t)1 << i;
    }
    *quotes = found;
    return result;
#endif
}

/// Asks for the cache line at `p` to be loaded for reading (a hint: never faults, whatever `p`).
static inline void comp_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/// The number of bytes equal to `byte` in `p[0..<count]` (16 at a time with SSE2: a memchr per
/// line was twice the cost on ledgers of short lines).
static inline size_t comp_count_byte(const uint8_t *p, size_t count, uint8_t byte) {
    size_t found = 0, i = 0;
#if defined(__SSE2__)
    // Matches are counted in 16 byte-wide counters (a match compares to -1, subtracted), summed
    // into the total before any can pass 255: a popcount per 16 bytes had cost 1.6 instructions
    // a byte (no POPCNT instruction is assumed).
    const __m128i needle = _mm_set1_epi8((char)byte);
    const __m128i zero = _mm_setzero_si128();
    while (i + 64 <= count) {
        __m128i counters = zero;
        size_t stop = i + 64 * 62;  // 63 rounds at most, 4 matches a round per counter: 252
        if (stop > count - 64) stop = count - 64;
        for (; i <= stop; i += 64) {
            counters = _mm_sub_epi8(counters, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), needle));
            counters = _mm_sub_epi8(counters, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 16)), needle));
            counters = _mm_sub_epi8(counters, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 32)), needle));
            counters = _mm_sub_epi8(counters, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 48)), needle));
        }
        __m128i sums = _mm_sad_epu8(counters, zero);
        found += (size_t)_mm_cvtsi128_si64(sums) + (size_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
    }
    for (; i + 16 <= count; i += 16) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(p + i));
        found += (size_t)__builtin_popcount((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, needle)));
    }
#endif
    for (; i < count; i++) found += p[i] == byte;
    return found;
}

/// Whether the byte at `p[i]` (a lead byte the scan flagged) starts a control or invisible
/// character: a C1 control or the soft hyphen (0xC2 0x80-0x9F, 0xC2 0xAD), U+061C (0xD8 0x9C),
/// U+2000-U+207F (0xE2 0x80/0x81: bidirectional formatting, line separators, zero-width spaces and
/// joiners), U+FEFF (0xEF 0xBB 0xBF). A fullwidth letter (0xEF 0xBC ..) is not one: ids written in
/// them had stopped the scan at every character.
static inline int comp_is_control_start(const uint8_t *p, size_t i, size_t count) {
    uint8_t byte = p[i];
    if (byte < 0x20 || byte == 0x7F) return 1;
    if (i + 1 >= count) return 0;
    uint8_t next = p[i + 1];
    switch (byte) {
    case 0xC2: return (next >= 0x80 && next <= 0x9F) || next == 0xAD;
    case 0xD8: return next == 0x9C;
    case 0xE2: return next == 0x80 || next == 0x81;
    case 0xEF: return next == 0xBB && i + 2 < count && p[i + 2] == 0xBF;
    default: return 0;
    }
}

/// The offset of the first control character (a byte below 0x20, or DEL) in `p[0..<count]`, or of
/// the first byte that starts a multi-byte one or an invisible character (see
/// `comp_is_control_start`), or -1. The caller decodes the character to be sure.
static inline long comp_find_control(const uint8_t *p, size_t count) {
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i highest = _mm_set1_epi8(0x1F), del = _mm_set1_epi8(0x7F);
    const __m128i c2 = _mm_set1_epi8((char)0xC2), d8 = _mm_set1_epi8((char)0xD8), e2 = _mm_set1_epi8((char)0xE2);
    const __m128i ef = _mm_set1_epi8((char)0xEF);
    for (; i + 16 <= count; i += 16) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(p + i));
        /* unsigned bytes <= 0x1F: the minimum with 0x1F is the byte itself */
        __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(bytes, highest), bytes);
        __m128i lead = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(bytes, c2), _mm_cmpeq_epi8(bytes, ef)),
            _mm_or_si128(_mm_cmpeq_epi8(bytes, d8), _mm_cmpeq_epi8(bytes, e2)));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(low, lead), _mm_cmpeq_epi8(bytes, del)));
        while (mask) {
            size_t at = i + (size_t)__builtin_ctz(mask);
            if (comp_is_control_start(p, at, count)) return (long)at;
            mask &= mask - 1;
        }
    }
#endif
    for (; i < count; i++) {
        if (comp_is_control_start(p, i, count)) return (long)i;
    }
    return -1;
}

/// Asks the CPU to bring the cache line at `p` in for writing; a hint only, never a fault.
static inline void comp_prefetch_for_write(const void *p) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 1, 3);
#else
    (void)p;
#endif
}

/// Opens a new file with no name in directory `directory`, for writing, with `mode` (less the
/// umask): Linux's O_TMPFILE. If the process dies before the file is named it vanishes. Returns
/// the descriptor, or -1 with errno set (EOPNOTSUPP where the system or file system has none).
int comp_open_unnamed(const char *directory, unsigned mode);

/// Guards the read-only file mapping `start..<start+length`: a read past the end of a file that
/// shrank after it was mapped finds zeros instead of ending the process with SIGBUS, and is
/// counted. Returns the guard's slot (for comp_guard_faults and comp_unguard_mapping), or -1 when
/// no guard could be set (the mapping is then read unguarded).
int comp_guard_mapping(const void *start, size_t length);

/// Reads of guarded slot `slot` that found the file shorter than when it was mapped.
long comp_guard_faults(int slot);

/// Ends the guard of `slot` (before the mapping is unmapped).
void comp_unguard_mapping(int slot);

/// Gives the unnamed file open as `descriptor` (from comp_open_unnamed) the name `path`, which
/// must not exist. Returns 0, or -1 with errno set.
int comp_name_unnamed(int descriptor, const char *path);

/// Asks the system to start writing the dirty pages of bytes `offset ..< offset + count` of the
/// file open as `descriptor` to disk (`count` 0: to the file's end), without waiting for it
/// (Linux's sync_file_range; nothing elsewhere). A hint: what it cannot do is left to the sync or
/// the system's own writeback, so it reports nothing. A file written while a run computes is then
/// mostly on disk when the run's commit syncs it, instead of all of it waited for then.
void comp_start_writeback(int descriptor, int64_t offset, int64_t count);

/// Renames `from` to `to` unless something is at `to` (then fails with EEXIST): renameat2's
/// RENAME_NOREPLACE, or where the file system has no such rename, a check and a rename. For file
/// systems without hard links (vfat, exFAT, many FUSE ones). Returns 0, or -1 with errno set.
int comp_rename_noreplace(const char *from, const char *to);

#endif
