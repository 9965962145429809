// Must NOT compile, one refusal per CASE (tests/CMakeLists.txt checks each message):
//   1 clip_norm on a fused trainer        2 a fused trainer given a Regularization
//   3 accumulate on a fused trainer       4 step_partial on a fused trainer of batch > 1
//   5 gradients() of a fused trainer      6 a network in which nothing trains
//   7 BiasOnly<> on a Dense without a bias
//   8 an externally stored layer after one the network holds
//   9 a blob of a network that stores layers externally
#include <cstdint>

#include <tinymlp/tinymlp.hpp>

using namespace tinymlp;
using Net = Sequential<Dense<4, 8>, ReLU, Dense<8, 2>>;
using Fused = Trainer<Net, SoftmaxCrossEntropy, Adam, 4, Update::fused>;

int main() {
    static Net net;
    static float x[16];
    static std::int32_t labels[4];
#if CASE == 1
    static Fused trainer(net);
    trainer.regularization().clip_norm = 1.0;
#elif CASE == 2
    static Fused trainer(net, Adam{}, Regularization{});
#elif CASE == 3
    static Fused trainer(net);
    (void)trainer.accumulate(x, labels);
#elif CASE == 4
    static Fused trainer(net);
    (void)trainer.step_partial(x, labels, 3);
#elif CASE == 5
    static Fused trainer(net);
    return static_cast<int>(trainer.gradients()[0]);
#elif CASE == 6
    using AllFrozen = Sequential<Frozen<Dense<4, 8>>, ReLU, Frozen<Dense<8, 2>>>;
    static AllFrozen frozen;
    static Trainer<AllFrozen, SoftmaxCrossEntropy, Sgd, 4> trainer(frozen);
#elif CASE == 7
    using Broken = Sequential<Dense<4, 8>, ReLU, BiasOnly<Dense<8, 2, Bias::off>>>;
    return static_cast<int>(Broken::parameter_count);
#elif CASE == 8
    using Broken = Sequential<Dense<4, 8>, ReLU, Frozen<Dense<8, 2>, Storage::external>>;
    return static_cast<int>(Broken::stored_count);
#elif CASE == 9
    using Head = Sequential<Frozen<Dense<4, 8>, Storage::external>, ReLU, Dense<8, 2>>;
    static const float whole[Head::parameter_count] = {};
    static Head head(whole);
    static unsigned char blob[1024];
    return static_cast<int>(save_blob(head, blob, sizeof blob));
#endif
    (void)x;
    (void)labels;
    return 0;
}
