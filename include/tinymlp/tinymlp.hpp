// tinymlp: multilayer perceptrons whose sizes are types, trained and run with no heap.
#pragma once

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
#include "optimizers/adam.hpp"
#include "optimizers/sgd.hpp"
#include "random.hpp"
#include "status.hpp"
#include "target.hpp"
#include "trainer.hpp"
