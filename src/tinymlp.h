// Arduino entry header (library.properties `includes`): Arduino puts src/ on the include path and
// compiles it; the library itself stays in include/, reached by a path relative to this file.
// Needs a core that compiles with -std=gnu++17 (tinymlp.hpp stops with one #error below C++17).
#pragma once
#include "../include/tinymlp/tinymlp.hpp"
