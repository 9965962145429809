// tinymlp: multilayer perceptrons whose sizes are types, trained and run with no heap.
#pragma once

// Below C++17 the headers below would fail in a hundred places; say why once instead.
// (MSVC keeps __cplusplus at 199711L unless /Zc:__cplusplus; _MSVC_LANG has the real standard.)
#if (defined(_MSVC_LANG) && _MSVC_LANG < 201703L) || (!defined(_MSVC_LANG) && __cplusplus < 201703L)
#error "tinymlp needs C++17 or later: compile with -std=c++17 or -std=gnu++17 (MSVC: /std:c++17)"
#else

#include "blob.hpp"
#include "checkpoint.hpp"
#include "init.hpp"
#include "layers/activations.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/prelu.hpp"
#include "layers/softmax.hpp"
#include "losses/binary_cross_entropy_with_logits.hpp"
#include "losses/mean_squared_error.hpp"
#include "losses/softmax_cross_entropy.hpp"
#include "network.hpp"
#include "network_view.hpp"
#include "optimizers/adam.hpp"
#include "optimizers/sgd.hpp"
#include "quantized_network.hpp"
#include "permutation.hpp"
#include "random.hpp"
#include "schedules.hpp"
#include "status.hpp"
#include "stream.hpp"
#include "target.hpp"
#include "trainer.hpp"

#endif
