#include "CompSHA256.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

int comp_sha256_hardware(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int sha = (b >> 29) & 1;
    return ssse3 && sse41 && sha;
}

/* Four rounds on message group `g`: the words W[4g..4g+3] in `m`. */
#define ROUNDS(g, m)                                                                     \
    do {                                                                                 \
        __m128i msg = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&K256[4 * (g)])); \
        state1 = _mm_sha256rnds2_epu32(state1, state0, msg);                             \
        msg = _mm_shuffle_epi32(msg, 0x0E);                                              \
        state0 = _mm_sha256rnds2_epu32(state0, state1, msg);                             \
    } while (0)

/* Rounds on group g (in `cur`), then the schedule, kept off the rounds' critical path: group g+1
 * into `old` (which holds msg1(group g-3, group g-2)) and the first half of group g+3's into `prev`
 * (group g-1). Group G = msg2(msg1(G-4, G-3) + words of G-2 and G-1 shifted by one, G-1). */
#define STEP(g, old, prev, cur)                                                          \
    do {                                                                                 \
        ROUNDS(g, cur);                                                                  \
        old = _mm_sha256msg2_epu32(_mm_add_epi32(old, _mm_alignr_epi8(cur, prev, 4)), cur); \
        prev = _mm_sha256msg1_epu32(prev, cur);                                          \
    } while (0)

__attribute__((target("sha,sse4.1,ssse3")))
void comp_sha256_blocks_hardware(uint32_t state[8], const uint8_t *data, size_t blocks) {
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    /* state words A..H -> the ABEF / CDGH layout the instructions use */
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i state1 = _mm_loadu_si128((const __m128i *)&state[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);
    state1 = _mm_shuffle_epi32(state1, 0x1B);
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);

    /* Unrolled, with the message schedule interleaved with the rounds as in Intel's reference
     * code: a loop computing each group just before its rounds ran at 1.4 GB/s here, this at 1.8
     * (what OpenSSL reaches on the same machine). Four registers hold groups g-3..g in turn. */
    while (blocks--) {
        __m128i abef = state0, cdgh = state1;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), byteswap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), byteswap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), byteswap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), byteswap);
        ROUNDS(0, m0);
        ROUNDS(1, m1);
        m0 = _mm_sha256msg1_epu32(m0, m1);
        ROUNDS(2, m2);
        m1 = _mm_sha256msg1_epu32(m1, m2);
        STEP(3, m0, m2, m3);
        STEP(4, m1, m3, m0);
        STEP(5, m2, m0, m1);
        STEP(6, m3, m1, m2);
        STEP(7, m0, m2, m3);
        STEP(8, m1, m3, m0);
        STEP(9, m2, m0, m1);
        STEP(10, m3, m1, m2);
        STEP(11, m0, m2, m3);
        STEP(12, m1, m3, m0);
        /* groups 14 and 15 need no msg1 for later groups */
        ROUNDS(13, m1);
        m2 = _mm_sha256msg2_epu32(_mm_add_epi32(m2, _mm_alignr_epi8(m1, m0, 4)), m1);
        ROUNDS(14, m2);
        m3 = _mm_sha256msg2_epu32(_mm_add_epi32(m3, _mm_alignr_epi8(m2, m1, 4)), m2);
        ROUNDS(15, m3);
        state0 = _mm_add_epi32(state0, abef);
        state1 = _mm_add_epi32(state1, cdgh);
        data += 64;
    }

    /* back to A..H */
    tmp = _mm_shuffle_epi32(state0, 0x1B);
    state1 = _mm_shuffle_epi32(state1, 0xB1);
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);
    state1 = _mm_alignr_epi8(state1, tmp, 8);
    _mm_storeu_si128((__m128i *)&state[0], state0);
    _mm_storeu_si128((__m128i *)&state[4], state1);
}

#undef STEP
#undef ROUNDS

#else

int comp_sha256_hardware(void) { return 0; }
void comp_sha256_blocks_hardware(uint32_t state[8], const uint8_t *data, size_t blocks) {
    (void)state; (void)data; (void)blocks;
}

#endif
