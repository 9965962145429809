// Compiled with -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror: firmware
// projects build with these, and checkpoint.hpp, blob.hpp and quantized_blob.hpp are compiled into
// their own code.
#include <tinymlp/checkpoint.hpp>
#include <tinymlp/quantized_blob.hpp>
#include <tinymlp/tinymlp.hpp>

namespace {
using Net = tinymlp::Sequential<tinymlp::Dense<4, 6>, tinymlp::Tanh, tinymlp::Dense<6, 3>>;
using AdamTrainer = tinymlp::Trainer<Net, tinymlp::SoftmaxCrossEntropy, tinymlp::Adam, 2>;
bool read(void*, std::size_t, void*, std::size_t) { return false; }
bool erase_page(void*, std::size_t) { return false; }
bool program(void*, std::size_t, const void*, std::size_t) { return false; }
}  // namespace

int main() {
    static Net net;
    static AdamTrainer trainer(net);
    const tinymlp::FlashStorage flash{nullptr, 256, 1024, &read, &erase_page, &program};
    tinymlp::BlobStatus refused = tinymlp::BlobStatus::ok;
    int failures = tinymlp::save_checkpoint(net, flash) != tinymlp::CheckpointStatus::ok;
    failures += tinymlp::load_checkpoint(net, flash, nullptr, &refused) != tinymlp::CheckpointStatus::ok;
    failures += tinymlp::save_training_checkpoint(trainer, flash) != tinymlp::CheckpointStatus::ok;
    failures += tinymlp::load_training_checkpoint(trainer, flash) != tinymlp::CheckpointStatus::ok;
    static unsigned char blob[tinymlp::training_blob_bytes<AdamTrainer>];
    failures += tinymlp::save_training_blob(trainer, blob, sizeof blob) != tinymlp::BlobStatus::ok;
    failures += tinymlp::load_training_blob(trainer, blob, sizeof blob) != tinymlp::BlobStatus::ok;
    failures += tinymlp::load_blob(net, blob, sizeof blob) != tinymlp::BlobStatus::ok;
    using Integral = tinymlp::Sequential<tinymlp::Dense<4, 6>, tinymlp::ReLU, tinymlp::Dense<6, 3>>;
    static tinymlp::QuantizedNetwork<Integral> quantized;
    static unsigned char quantized_blob[tinymlp::quantized_blob_bytes<Integral>];
    failures += tinymlp::save_blob(quantized, quantized_blob, sizeof quantized_blob) != tinymlp::BlobStatus::ok;
    failures += tinymlp::load_blob(quantized, quantized_blob, sizeof quantized_blob) != tinymlp::BlobStatus::ok;
    return failures;
}
