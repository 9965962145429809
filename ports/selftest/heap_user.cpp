// Selftest (Cortex-M): a firmware that allocates; check_no_heap.cmake must reject it.
// It is only linked, never run.
#include <cstdio>
#include <cstdlib>

int main() {
    void* block = std::malloc(16);
    int* number = new int(3);
    std::printf("%p %p\n", block, static_cast<void*>(number));
    return 0;
}
