// libFuzzer's driver, linked in by `-sanitize=fuzzer` (see Fuzz/run.sh): each fuzz target's main.swift calls it with
// its test function, since SwiftPM names an executable's entry point itself and libFuzzer's own main cannot be used.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
