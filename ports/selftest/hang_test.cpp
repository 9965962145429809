// Selftest: a program that never ends; the runner's timeout must kill it.
#include <cstdio>

int main() {
    std::printf("hanging on purpose\n");
    std::fflush(stdout);
    volatile bool forever = true;
    while (forever) {
    }
    return 0;
}
