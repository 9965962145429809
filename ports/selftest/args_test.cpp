// Selftest: command-line arguments reach main() on every target (on Cortex-M through
// run-firmware.sh and semihosting), and a program run at build time through
// CMAKE_CROSSCOMPILING_EMULATOR can write its output file on the host.
//   args_test <word> <word-with-comma> <output file>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::printf("expected 3 arguments, got %d\n", argc - 1);
        return 1;
    }
    if (std::strcmp(argv[1], "hello") != 0 || std::strcmp(argv[2], "a,b") != 0) {
        std::printf("unexpected arguments '%s' '%s'\n", argv[1], argv[2]);
        return 1;
    }
    std::FILE* out = std::fopen(argv[3], "w");
    if (!out) {
        std::printf("cannot write %s\n", argv[3]);
        return 1;
    }
    std::fprintf(out, "%s|%s\n", argv[1], argv[2]);
    std::fclose(out);
    std::printf("wrote %s\n", argv[3]);
    return 0;
}
