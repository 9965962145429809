// Blobs and checkpoints in firmware linked against stock newlib-nano, without the port's stdio:
// nothing here may call snprintf or printf, which link malloc there. The ctest
// persistence_stock_newlib_no_heap reads the image's symbols; persistence_stock_newlib runs it
// (exit status 0 when every round trip restored the parameters and optimizer state).
#include <cstring>

#include <tinymlp/tinymlp.hpp>

using namespace tinymlp;

namespace {

using Net = Sequential<Dense<6, 8>, ReLU, Dropout<10>, Dense<8, 3>>;
using Training = Trainer<Net, SoftmaxCrossEntropy, Adam, 2>;

Net net, restored;
Training trainer(net, Adam{0.01});
Training restored_trainer(restored, Adam{0.01});

constexpr std::size_t page = 256, slot = 2048;
unsigned char flash_memory[2 * slot];
unsigned char blob[training_blob_bytes<Training>];

bool read(void*, std::size_t address, void* out, std::size_t n) {
    std::memcpy(out, flash_memory + address, n);
    return true;
}
bool erase_page(void*, std::size_t address) {
    std::memset(flash_memory + address, 0xff, page);
    return true;
}
bool program(void*, std::size_t address, const void* data, std::size_t n) {
    std::memcpy(flash_memory + address, data, n);
    return true;
}

bool same_parameters() { return std::memcmp(net.parameters(), restored.parameters(), Net::parameter_bytes) == 0; }

}  // namespace

int main() {
    static_assert(training_blob_bytes<Training> + checkpoint_record_bytes <= slot, "a slot holds the blob");
    net.init(1);
    const float x[2 * 6] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, -1, 1, -1, 1, -1, 1};
    const std::int32_t labels[2] = {0, 2};
    for (int i = 0; i < 3; ++i)
        if (trainer.step(x, labels) != Status::ok) return 1;

    if (save_blob(net, blob, sizeof blob) != BlobStatus::ok) return 2;
    if (load_blob(restored, blob, sizeof blob) != BlobStatus::ok || !same_parameters()) return 3;
    restored.init(2);
    if (save_training_blob(trainer, blob, sizeof blob) != BlobStatus::ok) return 4;
    if (load_training_blob(restored_trainer, blob, sizeof blob) != BlobStatus::ok || !same_parameters()) return 5;

    const FlashStorage flash{nullptr, page, slot, &read, &erase_page, &program};
    restored.init(3);
    if (save_checkpoint(net, flash) != CheckpointStatus::ok) return 6;
    if (load_checkpoint(restored, flash) != CheckpointStatus::ok || !same_parameters()) return 7;
    restored.init(4);
    if (save_training_checkpoint(trainer, flash) != CheckpointStatus::ok) return 8;
    if (load_training_checkpoint(restored_trainer, flash) != CheckpointStatus::ok || !same_parameters()) return 9;
    if (std::memcmp(trainer.state().scalars(), restored_trainer.state().scalars(), sizeof trainer.state().moments) != 0)
        return 10;
    float y[3];
    return net.predict(x, y) == Status::ok ? 0 : 11;
}
