// Arduino: makes <tinymlp/network_view.hpp> (what exported model headers include) resolve with
// only src/ on the include path; the header itself is in include/.
#pragma once
#include "../../include/tinymlp/network_view.hpp"
