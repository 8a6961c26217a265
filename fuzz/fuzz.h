/* fuzz.h -- what every libFuzzer target in fuzz/ shares: the entry point and a checked abort. */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

/*
 * Each fuzz/fuzz_*.c file is one libFuzzer target (clang -fsanitize=fuzzer, built only with
 * --enable-fuzzing). A target feeds arbitrary bytes to one public entry point and checks the
 * contract written in that entry point's header; FUZZ_CHECK turns a broken contract into a
 * crash that libFuzzer saves as a reproducer (fuzz/regress/ keeps them for `make check`).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* libFuzzer's entry point; declared here because -Wmissing-prototypes wants a prototype. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional one-time setup, called by libFuzzer before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Abort with the broken condition when cond is false (a finding, not an input error). */
#define FUZZ_CHECK(cond)                                                                     \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                                         \
        }                                                                                    \
    } while (0)

#endif
