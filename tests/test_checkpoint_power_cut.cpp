// Power cuts during checkpoint saves. A simulated NOR flash (program only clears bits; a unit
// being programmed when power fails is torn; a page being erased is left half erased) loses power
// after k operations, for EVERY k of a save (each page erase and each programmed unit), with one or
// both slots already in use, with a slot whose commit record is intact over a damaged blob, and
// with bit rot in either slot, so that the cuts fall in the erase of slot A and of slot B. After
// each cut it "reboots" and loads: the load must succeed and give exactly the checkpoint that
// loaded before the save or the new one, never anything else, and a completed save must give the
// new one. Then it saves again with power on and must load the newest. The flash can have a
// program unit of 1, 8 or 32 bytes, and refuses unaligned, partial-unit and repeated programs.
#include <cstdint>
#include <cstring>
#include <string_view>

#include <tinymlp/checkpoint.hpp>
#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

namespace {

template <std::size_t PageBytes, std::size_t Pages, std::size_t Unit = 1>
struct SimulatedFlash {
    static constexpr std::size_t slot_bytes = PageBytes * Pages;
    unsigned char memory[2 * slot_bytes];
    bool programmed[2 * slot_bytes / Unit] = {};  // since the last erase of its page
    long refused_programs = 0;                    // unaligned, partial-unit or repeated
    bool (*sync_check)(SimulatedFlash&) = nullptr;
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
        std::memset(f->programmed + address / Unit, 0, PageBytes / Unit);
        return true;
    }
    static bool program(void* context, std::size_t address, const void* data, std::size_t n) {
        auto* f = static_cast<SimulatedFlash*>(context);
        const auto* bytes = static_cast<const unsigned char*>(data);
        if (address % Unit != 0 || n % Unit != 0 || address + n > sizeof f->memory) {
            ++f->refused_programs;
            return false;
        }
        for (std::size_t unit = address / Unit; unit < (address + n) / Unit; ++unit) {
            if (f->programmed[unit]) {
                ++f->refused_programs;
                return false;
            }
        }
        for (std::size_t at = 0; at < n; at += Unit) {
            const bool powered_on = f->spend();
            f->programmed[(address + at) / Unit] = true;
            for (std::size_t i = at; i < at + Unit; ++i) {
                if (powered_on) {
                    f->memory[address + i] &= bytes[i];
                } else {  // torn unit: only some of its bits were cleared
                    f->memory[address + i] &= static_cast<unsigned char>(bytes[i] | f->noise.next_u32());
                }
            }
            if (!powered_on) return false;
        }
        return true;
    }
    static bool sync(void* context) {
        auto* f = static_cast<SimulatedFlash*>(context);
        return f->powered && (!f->sync_check || f->sync_check(*f));
    }
    FlashStorage storage() {
        FlashStorage storage{this, PageBytes, slot_bytes, &read, &erase_page, &program};
        storage.program_unit = Unit;
        storage.sync = &sync;
        return storage;
    }
    void flip_bit(std::size_t address) { memory[address] ^= 0x10; }
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

// Flash images before the interrupted save, and the checkpoint a load gives from each.
enum Scenario {
    one_slot_used,        // A: 1                      -> the save goes to B
    both_slots_used,      // A: 1, B: 2                -> to A
    newest_blob_damaged,  // A: 1, B: 2 (record whole, blob bit rot) -> to B, A kept
    newest_blob_erased,   // A: 1, B: 2 (record whole, a blob page erased) -> to B, A kept
    oldest_blob_damaged,  // A: 1 (bit rot), B: 2      -> to A
    scenario_count
};
const char* const scenario_names[scenario_count] = {"one slot used", "both slots used", "newest blob damaged",
                                                    "newest blob erased", "oldest blob damaged"};

template <std::size_t Unit>
void cut_power_at_every_operation(int first_scenario, int last_scenario) {
    using Flash = SimulatedFlash<256, 3, Unit>;
    static_assert(checkpoint_record_bytes + Unit + training_blob_bytes<AdamTrainer> <= Flash::slot_bytes);
    static Net net, loaded_net;
    net.init(1);
    static AdamTrainer trainer(net, Adam{0.01}), loaded(loaded_net, Adam{0.01});
    static Version versions[3];
    static Flash images[scenario_count], flash;

    // Versions 1 and 2 saved in turn; version 3 is what the interrupted saves write.
    for (int v = 0; v < 3; ++v) {
        for (int i = 0; i < 4; ++i) CHECK(trainer.step(x, labels) == Status::ok);
        capture(trainer, versions[v]);
        if (v == 0) CHECK(save_training_checkpoint(trainer, images[one_slot_used].storage()) == CheckpointStatus::ok);
        if (v == 1) {
            images[both_slots_used] = images[one_slot_used];
            CHECK(save_training_checkpoint(trainer, images[both_slots_used].storage()) == CheckpointStatus::ok);
        }
    }
    CHECK(!equals(trainer, versions[0]) && !equals(trainer, versions[1]));
    const std::size_t blob_start = checkpoint_header_bytes(images[0].storage());
    images[newest_blob_damaged] = images[both_slots_used];
    images[newest_blob_damaged].flip_bit(Flash::slot_bytes + blob_start + 100);
    images[newest_blob_erased] = images[both_slots_used];
    std::memset(images[newest_blob_erased].memory + Flash::slot_bytes + 256, 0xFF, 256);
    images[oldest_blob_damaged] = images[both_slots_used];
    images[oldest_blob_damaged].flip_bit(blob_start + 100);
    // Which version and sequence a load gives before the save, and the sequence the save writes.
    const int previous[scenario_count] = {0, 1, 0, 0, 1};
    const std::uint32_t previous_sequence[scenario_count] = {1, 2, 1, 1, 2};
    const std::uint32_t new_sequence[scenario_count] = {2, 3, 3, 3, 3};

    for (int scenario = first_scenario; scenario <= last_scenario; ++scenario) {
        long cuts = 0, kept_old = 0, got_new = 0;
        flash = images[scenario];
        std::uint32_t sequence = 0;
        CHECK(load_training_checkpoint(loaded, flash.storage(), &sequence) == CheckpointStatus::ok);
        CHECK(equals(loaded, versions[previous[scenario]]) && sequence == previous_sequence[scenario]);
        flash.operations = 0;
        CHECK(save_training_checkpoint(trainer, flash.storage()) == CheckpointStatus::ok);
        const long operations = flash.operations;  // of one complete save
        for (long cut = 0; cut <= operations; ++cut, ++cuts) {
            flash = images[scenario];
            flash.budget = cut;
            const CheckpointStatus saved = save_training_checkpoint(trainer, flash.storage());
            CHECK((saved == CheckpointStatus::ok) == (cut == operations));
            flash.reboot();
            CHECK(load_training_checkpoint(loaded, flash.storage(), &sequence) == CheckpointStatus::ok);
            const bool is_new = equals(loaded, versions[2]);
            CHECK(is_new || equals(loaded, versions[previous[scenario]]));  // never a corrupt or older model
            CHECK(sequence == (is_new ? new_sequence[scenario] : previous_sequence[scenario]));
            if (cut == operations) CHECK(is_new);
            (is_new ? got_new : kept_old)++;
            // After the reboot a save with power on succeeds and becomes the newest.
            CHECK(save_training_checkpoint(trainer, flash.storage()) == CheckpointStatus::ok);
            CHECK(load_training_checkpoint(loaded, flash.storage()) == CheckpointStatus::ok);
            CHECK(equals(loaded, versions[2]));
        }
        CHECK(flash.refused_programs == 0);
        std::printf("  %zu-byte unit, %s: %ld operations per save, %ld cuts: %ld loaded the previous "
                    "checkpoint, %ld the new one, 0 lost\n",
                    Unit, scenario_names[scenario], operations, cuts, kept_old, got_new);
    }
}

}  // namespace

TEST(a_power_cut_at_every_operation_of_a_save_loses_nothing) {
    cut_power_at_every_operation<1>(one_slot_used, oldest_blob_damaged);
}

TEST(power_cuts_on_flash_with_8_and_32_byte_program_units) {
    cut_power_at_every_operation<8>(one_slot_used, oldest_blob_damaged);
    cut_power_at_every_operation<32>(one_slot_used, newest_blob_damaged);
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

TEST(flash_geometry_is_checked_before_the_flash_is_touched) {
    static SimulatedFlash<256, 3> flash;
    static Net net;
    net.init(4);
    const auto with = [&](std::size_t page_bytes, std::size_t slot_bytes, std::size_t unit) {
        FlashStorage storage = flash.storage();
        storage.page_bytes = page_bytes;
        storage.slot_bytes = slot_bytes;
        storage.program_unit = unit;
        return storage;
    };
    const FlashStorage bad[] = {
        with(0, 768, 1),    // no erase unit (a save would never leave its erase loop)
        with(8, 8, 1),      // a slot smaller than its commit record
        with(8, 16, 1),     // a slot holding nothing but its commit record
        with(256, 700, 1),  // a slot that is not whole pages
        with(256, 768, 3),  // a program unit that is not a power of two
        with(256, 768, 0),
        with(256, 768, 128),                   // larger than max_program_unit
        with(16, 48, 32),                      // a slot that is not whole program units
    };
    for (const FlashStorage& storage : bad) {
        flash.operations = 0;
        CHECK(save_checkpoint(net, storage) == CheckpointStatus::bad_geometry);
        CHECK(load_checkpoint(net, storage) == CheckpointStatus::bad_geometry);
        CHECK(flash.operations == 0);
    }
    CHECK(save_checkpoint(net, with(256, 768, 64)) == CheckpointStatus::ok);
    CHECK(std::string_view(to_string(CheckpointStatus::bad_geometry)) == "bad flash geometry");
}

TEST(a_refused_checkpoint_says_why) {
    static SimulatedFlash<256, 2> flash;
    static Net net;
    net.init(5);
    BlobStatus refused = BlobStatus::ok;
    CHECK(load_checkpoint(net, flash.storage(), nullptr, &refused) == CheckpointStatus::no_checkpoint);
    CHECK(refused == BlobStatus::ok);  // no commit record at all: nothing was refused
    CHECK(save_checkpoint(net, flash.storage()) == CheckpointStatus::ok);
    // A firmware update changed the network: the topology, not the checksum, is at fault.
    static Sequential<Dense<4, 6>, ReLU, Dense<6, 3>> updated;
    CHECK(load_checkpoint(updated, flash.storage(), nullptr, &refused) == CheckpointStatus::no_checkpoint);
    CHECK(refused == BlobStatus::wrong_topology);
    static AdamTrainer trainer(net);
    CHECK(load_training_checkpoint(trainer, flash.storage(), nullptr, &refused) == CheckpointStatus::no_checkpoint);
    CHECK(refused == BlobStatus::missing_optimizer_state);
    flash.flip_bit(checkpoint_record_bytes + 60);
    CHECK(load_checkpoint(net, flash.storage(), nullptr, &refused) == CheckpointStatus::no_checkpoint);
    CHECK(refused == BlobStatus::bad_checksum);
}

TEST(the_sync_barrier_runs_between_the_blob_and_its_record_and_can_stop_the_save) {
    using Flash = SimulatedFlash<256, 2, 8>;
    static Flash flash;
    static Net net, loaded;
    static int syncs;
    syncs = 0;
    // At the barrier slot A's blob is programmed and its commit record is still erased.
    flash.sync_check = [](Flash& f) {
        ++syncs;
        const std::size_t start = checkpoint_header_bytes(f.storage());
        bool record_erased = true;
        for (std::size_t i = 0; i < start; ++i) record_erased = record_erased && f.memory[i] == 0xFF;
        return record_erased && std::memcmp(f.memory + start, "TMLP", 4) == 0;
    };
    net.init(6);
    CHECK(save_checkpoint(net, flash.storage()) == CheckpointStatus::ok);
    CHECK(syncs == 1);
    // A failing barrier stops the save before the record: the first checkpoint still loads.
    flash.sync_check = [](Flash&) { return false; };
    static Net second;
    second.init(7);
    std::uint32_t sequence = 0;
    CHECK(save_checkpoint(second, flash.storage()) == CheckpointStatus::flash_error);
    CHECK(load_checkpoint(loaded, flash.storage(), &sequence) == CheckpointStatus::ok);
    CHECK(sequence == 1);
    CHECK(std::memcmp(loaded.parameters(), net.parameters(), Net::parameter_bytes) == 0);
}

TEST(the_simulated_unit_flash_refuses_what_real_flash_would) {
    static SimulatedFlash<256, 2, 32> flash;
    const FlashStorage storage = flash.storage();
    unsigned char data[64];
    std::memset(data, 0x5A, sizeof data);
    CHECK(!storage.program(storage.context, 8, data, 32));   // unaligned
    CHECK(!storage.program(storage.context, 0, data, 16));   // a partial unit
    CHECK(storage.program(storage.context, 0, data, 64));    // two whole units
    CHECK(!storage.program(storage.context, 32, data, 32));  // programmed twice
    CHECK(flash.refused_programs == 3);
}

TEST(a_slot_that_reads_differently_while_loading_falls_back_to_the_other) {
    // Slot B (the newest) passes the check, then reads one byte differently while it is copied.
    using Flash = SimulatedFlash<256, 2>;
    static Flash flash;
    static Net first, second, loaded;
    first.init(8);
    second.init(9);
    CHECK(save_checkpoint(first, flash.storage()) == CheckpointStatus::ok);
    CHECK(save_checkpoint(second, flash.storage()) == CheckpointStatus::ok);
    struct Flaky {
        Flash* flash;
        int payload_reads = 0;
        static bool read(void* context, std::size_t address, void* out, std::size_t n) {
            auto* f = static_cast<Flaky*>(context);
            const std::size_t payload = Flash::slot_bytes + checkpoint_record_bytes + sizeof(BlobHeader);
            if (address == payload) ++f->payload_reads;
            if (!Flash::read(f->flash, address, out, n)) return false;
            if (f->payload_reads == 2 && address == payload) static_cast<unsigned char*>(out)[3] ^= 0x01;
            return true;
        }
    } flaky{&flash};
    FlashStorage storage = flash.storage();
    storage.context = &flaky;
    storage.read = &Flaky::read;
    storage.erase_page = [](void* context, std::size_t address) {
        return Flash::erase_page(static_cast<Flaky*>(context)->flash, address);
    };
    storage.program = [](void* context, std::size_t address, const void* data, std::size_t n) {
        return Flash::program(static_cast<Flaky*>(context)->flash, address, data, n);
    };
    storage.sync = nullptr;
    std::uint32_t sequence = 0;
    BlobStatus refused = BlobStatus::ok;
    CHECK(load_checkpoint(loaded, storage, &sequence, &refused) == CheckpointStatus::ok);
    CHECK(refused == BlobStatus::source_changed);
    CHECK(sequence == 1);
    CHECK(std::memcmp(loaded.parameters(), first.parameters(), Net::parameter_bytes) == 0);
}
