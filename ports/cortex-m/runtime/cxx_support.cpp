// C++ runtime pieces for heap-free tinymlp firmware (-fno-exceptions -fno-rtti).
//
// * operator delete: a class with a virtual destructor references it from its deleting
//   destructor even when nothing is ever allocated; libsupc++'s version calls free(), which
//   links malloc. Ours reports the (impossible) call and stops. operator new is deliberately
//   NOT defined: using it links libsupc++'s version and the <test>_no_heap check fails.
// Everything here is weak: a program may define its own.
// * Static destructors are registered with __aeabi_atexit/__cxa_atexit; newlib's registry may
//   malloc, and firmware never returns from main in a way that needs them, so registration is
//   ignored (static destructors do not run). __dso_handle normally comes from crtbegin.o,
//   which -nostartfiles leaves out.
#include <cstddef>
#include <new>

#include "runtime.h"

extern "C" {

__attribute__((weak)) void* __dso_handle = nullptr;

__attribute__((weak)) int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
__attribute__((weak)) int __aeabi_atexit(void*, void (*)(void*), void*) { return 0; }

__attribute__((weak)) void __cxa_pure_virtual() {
    tinymlp_fatal("pure virtual function called");
}
__attribute__((weak)) void __cxa_deleted_virtual() {
    tinymlp_fatal("deleted virtual function called");
}

}  // extern "C"

__attribute__((weak)) void operator delete(void*) noexcept {
    tinymlp_fatal("operator delete called (no heap)");
}
__attribute__((weak)) void operator delete[](void*) noexcept {
    tinymlp_fatal("operator delete[] called (no heap)");
}
__attribute__((weak)) void operator delete(void*, std::size_t) noexcept {
    tinymlp_fatal("operator delete called (no heap)");
}
__attribute__((weak)) void operator delete[](void*, std::size_t) noexcept {
    tinymlp_fatal("operator delete[] called (no heap)");
}
__attribute__((weak)) void operator delete(void*, std::align_val_t) noexcept {
    tinymlp_fatal("operator delete called (no heap)");
}
__attribute__((weak)) void operator delete[](void*, std::align_val_t) noexcept {
    tinymlp_fatal("operator delete[] called (no heap)");
}
__attribute__((weak)) void operator delete(void*, std::size_t, std::align_val_t) noexcept {
    tinymlp_fatal("operator delete called (no heap)");
}
__attribute__((weak)) void operator delete[](void*, std::size_t, std::align_val_t) noexcept {
    tinymlp_fatal("operator delete[] called (no heap)");
}
