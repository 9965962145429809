// Power cuts during checkpoint saves. A simulated NOR flash (program only clears bits; a byte
// being programmed when power fails is torn; a page being erased is left half erased) loses power
// after k operations, for EVERY k of a save (each page erase and each programmed byte), with one or
// both slots already in use. After each cut it "reboots" and loads: the load must succeed and give
// exactly the previous or the new checkpoint, never anything else, and a completed save must give
// the new one. Then it saves again with power on and must load the newest.
#include <cstdint>
#include <cstring>

#include <tinymlp/checkpoint.hpp>
#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

namespace {

template <std::size_t PageBytes, std::size_t Pages>
struct SimulatedFlash {
    static constexpr std::size_t slot_bytes = PageBytes * Pages;
    unsigned char memory[2 * slot_bytes];
    long budget = -1;  // operations before the power fails; -1: no cut
    long operations = 0;
    bool powered = true;
    Pcg32 noise{99};

    SimulatedFlash() { std::memset(memory, 0xFF, sizeof memory); }
    bool spend() {
        if (!powered) return false;
        if (budget == 0) {
            powered = false;
            return false;
        }
        if (budget > 0) --budget;
        ++operations;
        return true;
    }
    void reboot() {
        powered = true;
        budget = -1;
    }
    static bool read(void* context, std::size_t address, void* out, std::size_t n) {
        auto* f = static_cast<SimulatedFlash*>(context);
        if (!f->powered || address + n > sizeof f->memory) return false;
        std::memcpy(out, f->memory + address, n);
        return true;
    }
    static bool erase_page(void* context, std::size_t address) {
        auto* f = static_cast<SimulatedFlash*>(context);
        if (!f->spend()) {  // half erased: some bytes 0xFF, the rest as they were
            for (std::size_t i = 0; i < PageBytes; ++i)
                if (f->noise.next_u32() & 1u) f->memory[address + i] = 0xFF;
            return false;
        }
        std::memset(f->memory + address, 0xFF, PageBytes);
        return true;
    }
    static bool program(void* context, std::size_t address, const void* data, std::size_t n) {
        auto* f = static_cast<SimulatedFlash*>(context);
        const auto* bytes = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i) {
            if (!f->spend()) {  // torn byte: only some of its bits were cleared
                f->memory[address + i] &= static_cast<unsigned char>(bytes[i] | f->noise.next_u32());
                return false;
            }
            f->memory[address + i] &= bytes[i];
        }
        return true;
    }
    FlashStorage storage() {
        return FlashStorage{this, PageBytes, slot_bytes, &read, &erase_page, &program};
    }
};

using Net = Sequential<Dense<4, 6>, Tanh, Dense<6, 3>>;
using AdamTrainer = Trainer<Net, SoftmaxCrossEntropy, Adam, 2>;
const float x[8] = {0.1f, 0.2f, -0.3f, 0.4f, 1.0f, -1.0f, 0.5f, 0.0f};
const std::int32_t labels[2] = {2, 0};

// A trainer's parameters, optimizer moments and step count, to compare loaded checkpoints exactly.
struct Version {
    unsigned char params[Net::parameter_bytes];
    unsigned char moments[AdamTrainer::optimizer_state::scalar_count * sizeof(float)];
    std::uint64_t steps;
};

void capture(const AdamTrainer& trainer, Version& v) {
    std::memcpy(v.params, trainer.network_parameters(), sizeof v.params);
    std::memcpy(v.moments, trainer.state().scalars(), sizeof v.moments);
    v.steps = trainer.state().steps;
}

bool equals(const AdamTrainer& trainer, const Version& v) {
    return std::memcmp(v.params, trainer.network_parameters(), sizeof v.params) == 0 &&
           std::memcmp(v.moments, trainer.state().scalars(), sizeof v.moments) == 0 && v.steps == trainer.state().steps;
}

}  // namespace

TEST(a_power_cut_at_every_operation_of_a_save_loses_nothing) {
    using Flash = SimulatedFlash<256, 3>;
    static_assert(checkpoint_record_bytes + training_blob_bytes<AdamTrainer> <= Flash::slot_bytes);
    static Net net, loaded_net;
    net.init(1);
    static AdamTrainer trainer(net, Adam{0.01}), loaded(loaded_net, Adam{0.01});
    static Version versions[3];
    static Flash images[2], flash;  // images[k]: flash after k + 1 good saves

    // Versions 1 and 2 saved in turn; version 3 is what the interrupted saves write.
    for (int v = 0; v < 3; ++v) {
        for (int i = 0; i < 4; ++i) CHECK(trainer.step(x, labels) == Status::ok);
        capture(trainer, versions[v]);
        if (v < 2) {
            if (v == 1) images[1] = images[0];
            CHECK(save_training_checkpoint(trainer, images[v].storage()) == CheckpointStatus::ok);
        }
    }
    CHECK(!equals(trainer, versions[0]) && !equals(trainer, versions[1]));

    long cuts = 0, kept_old = 0, got_new = 0;
    for (int slots_used = 1; slots_used <= 2; ++slots_used) {
        flash = images[slots_used - 1];
        flash.operations = 0;
        CHECK(save_training_checkpoint(trainer, flash.storage()) == CheckpointStatus::ok);
        const long operations = flash.operations;  // of one complete save
        const Version& previous = versions[slots_used - 1];
        for (long cut = 0; cut <= operations; ++cut, ++cuts) {
            flash = images[slots_used - 1];
            flash.budget = cut;
            const CheckpointStatus saved = save_training_checkpoint(trainer, flash.storage());
            CHECK((saved == CheckpointStatus::ok) == (cut == operations));
            flash.reboot();
            std::uint32_t sequence = 0;
            CHECK(load_training_checkpoint(loaded, flash.storage(), &sequence) == CheckpointStatus::ok);
            const bool is_new = equals(loaded, versions[2]);
            CHECK(is_new || equals(loaded, previous));  // never a corrupt or older model
            CHECK(sequence == static_cast<std::uint32_t>(slots_used + (is_new ? 1 : 0)));
            if (cut == operations) CHECK(is_new);
            (is_new ? got_new : kept_old)++;
            // After the reboot a save with power on succeeds and becomes the newest.
            CHECK(save_training_checkpoint(trainer, flash.storage()) == CheckpointStatus::ok);
            CHECK(load_training_checkpoint(loaded, flash.storage()) == CheckpointStatus::ok);
            CHECK(equals(loaded, versions[2]));
        }
        std::printf("  %d slot(s) in use: %ld operations per save, every one cut\n", slots_used, operations);
    }
    std::printf("  %ld power cuts: %ld loaded the previous checkpoint, %ld the new one, 0 lost\n", cuts, kept_old,
                got_new);
}

TEST(empty_flash_has_no_checkpoint_and_a_slot_too_small_is_refused) {
    static SimulatedFlash<256, 3> flash;
    static Net net;
    CHECK(load_checkpoint(net, flash.storage()) == CheckpointStatus::no_checkpoint);
    static SimulatedFlash<16, 2> tiny;
    CHECK(save_checkpoint(net, tiny.storage()) == CheckpointStatus::slot_too_small);
}

TEST(parameters_only_checkpoints_alternate_slots) {
    static SimulatedFlash<256, 2> flash;
    static Net a, b;
    std::uint32_t sequence = 0;
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        a.init(seed);
        CHECK(save_checkpoint(a, flash.storage(), &sequence) == CheckpointStatus::ok);
        CHECK(sequence == seed);
        CHECK(load_checkpoint(b, flash.storage(), &sequence) == CheckpointStatus::ok);
        CHECK(sequence == seed);
        CHECK(std::memcmp(a.parameters(), b.parameters(), Net::parameter_bytes) == 0);
    }
}

TEST(sampled_power_cuts_on_a_sensor_sized_network) {
    // 32-64-64-8 with Adam: an 83 kB checkpoint; a cut every 97 operations and at each of the last 64.
    using Sensor = Sequential<Dense<32, 64>, ReLU, Dense<64, 64>, ReLU, Dense<64, 8>>;
    using SensorTrainer = Trainer<Sensor, MeanSquaredError, Adam, 1>;
    using Flash = SimulatedFlash<4096, 21>;
    static_assert(checkpoint_record_bytes + training_blob_bytes<SensorTrainer> <= Flash::slot_bytes);
    static Sensor net, other;
    net.init(3);
    static SensorTrainer trainer(net), loaded(other);
    static Flash image, flash;
    float input[32] = {}, target[8] = {};
    input[3] = 1;
    target[1] = 1;
    CHECK(trainer.step(input, target) == Status::ok);
    CHECK(save_training_checkpoint(trainer, image.storage()) == CheckpointStatus::ok);
    static unsigned char old_params[Sensor::parameter_bytes], new_params[Sensor::parameter_bytes];
    std::memcpy(old_params, net.parameters(), sizeof old_params);
    CHECK(trainer.step(input, target) == Status::ok);
    std::memcpy(new_params, net.parameters(), sizeof new_params);
    flash = image;
    const long before = flash.operations;
    CHECK(save_training_checkpoint(trainer, flash.storage()) == CheckpointStatus::ok);
    const long operations = flash.operations - before;
    long cuts = 0;
    for (long cut = 0; cut <= operations; cut += (cut + 64 >= operations ? 1 : 97), ++cuts) {
        flash = image;
        flash.budget = cut;
        (void)save_training_checkpoint(trainer, flash.storage());
        flash.reboot();
        CHECK(load_training_checkpoint(loaded, flash.storage()) == CheckpointStatus::ok);
        const bool is_new = std::memcmp(other.parameters(), new_params, sizeof new_params) == 0;
        CHECK(is_new || std::memcmp(other.parameters(), old_params, sizeof old_params) == 0);
        if (cut == operations) CHECK(is_new);
    }
    std::printf("  %ld operations per save, %ld power cuts tried\n", operations, cuts);
}
