// dense_64x64.cpp compiled with the project's flags (toolchain file, build type, definitions).
#define TINYMLP_DENSE_64X64 dense_64x64_project_flags
#define TINYMLP_DENSE_64X64_TARGET dense_64x64_project_flags_target
#include "dense_64x64.cpp"
