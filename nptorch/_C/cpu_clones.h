/* NPTORCH_CLONES: compile a function twice, for baseline x86-64 and for x86-64-v3 (AVX2, FMA,
 * ...), and let the loader pick the one the CPU supports, so that a portable wheel still runs
 * vector loops eight floats at a time where it can.
 *
 * NPTORCH_CLONES_AVX512 adds a third, x86-64-v4 (AVX-512), for the loops of exponentials
 * (rnn_rows.h): LSTM gate arithmetic 1.07 -> 0.69 ms per layer forward (benchmark shapes, one
 * core). The other loops, which move memory more than they compute, stay at two: with AVX-512
 * clones LeNet's step measured no faster.
 *
 * The clone is named by ISA level, which the loader checks by CPU features; "arch=haswell" would
 * be checked by CPU model, and every processor that is not an Intel Haswell (AMD's, later
 * Intel's) would run the baseline. Levels in target_clones need gcc 12; elsewhere one baseline
 * version is compiled.
 */
#ifndef NPTORCH_CPU_CLONES_H
#define NPTORCH_CPU_CLONES_H

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && defined(__x86_64__) \
    && defined(__linux__)
#define NPTORCH_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#define NPTORCH_CLONES_AVX512 \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define NPTORCH_CLONES
#define NPTORCH_CLONES_AVX512
#endif

#endif
