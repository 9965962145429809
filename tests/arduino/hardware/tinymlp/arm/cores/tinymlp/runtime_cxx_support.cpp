// The firmware runtime of ports/cortex-m, compiled as part of this core (not a copy).
#include "../../../../../../../ports/cortex-m/runtime/cxx_support.cpp"
