// Arduino: makes <tinymlp/tinymlp.hpp> (what exported model headers include) resolve with
// only src/ on the include path; the header itself is in include/.
#pragma once
#include "../../include/tinymlp/tinymlp.hpp"
