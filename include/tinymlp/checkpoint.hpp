// Power-safe checkpoints in flash: two slots (A and B), each holding a blob (blob.hpp) behind a
// 16-byte commit record. A save always goes to the slot that does not hold the newest good
// checkpoint: it erases that slot, programs the blob, and programs the commit record last. A power
// cut at any moment therefore leaves the previous checkpoint intact, and the half-written slot
// fails its record or blob check on the next load, which picks the newest slot that passes both.
//
//   slot layout: [ "TMCK" | sequence u32 | blob bytes u32 | CRC-32 of the previous 12 bytes ][ blob ]
//
// Flash is reached through FlashStorage callbacks (no heap, no driver dependency): erase sets a
// page to 0xFF, program writes bytes into erased flash.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "blob.hpp"
#include "crc32.hpp"

namespace tinymlp {

struct FlashStorage {
    void* context;
    std::size_t page_bytes;  // erase unit
    std::size_t slot_bytes;  // one slot, a multiple of page_bytes; slot A at 0, slot B at slot_bytes
    bool (*read)(void* context, std::size_t address, void* out, std::size_t n);
    bool (*erase_page)(void* context, std::size_t address);
    bool (*program)(void* context, std::size_t address, const void* data, std::size_t n);
};

enum class [[nodiscard]] CheckpointStatus {
    ok = 0,
    no_checkpoint,   // load: neither slot holds a good checkpoint of this network / trainer
    slot_too_small,  // save: the blob does not fit in a slot
    flash_error,     // save: an erase or program failed (the previous checkpoint is still intact)
};

constexpr const char* to_string(CheckpointStatus status) {
    switch (status) {
        case CheckpointStatus::ok: return "ok";
        case CheckpointStatus::no_checkpoint: return "no checkpoint";
        case CheckpointStatus::slot_too_small: return "slot too small";
        case CheckpointStatus::flash_error: return "flash error";
    }
    return "unknown checkpoint status";
}

inline constexpr std::size_t checkpoint_record_bytes = 16;

namespace detail {

struct CommitRecord {
    char magic[4];
    std::uint32_t sequence;
    std::uint32_t blob_bytes;
    std::uint32_t crc;
};
static_assert(sizeof(CommitRecord) == checkpoint_record_bytes, "tinymlp: CommitRecord must be 16 bytes");

// A slot's commit record, if it is whole. (The blob behind it is checked by the blob loader.)
inline bool read_record(const FlashStorage& flash, int slot, CommitRecord& record) {
    if (!flash.read(flash.context, static_cast<std::size_t>(slot) * flash.slot_bytes, &record, sizeof record)) return false;
    return std::memcmp(record.magic, "TMCK", 4) == 0 &&
           record.crc == crc32_update(0, &record, offsetof(CommitRecord, crc)) &&
           record.blob_bytes <= flash.slot_bytes - checkpoint_record_bytes;
}

// Sequence numbers compared modulo 2^32, so that wrapping around keeps the order.
inline bool newer(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) > 0; }

struct SlotWriter {
    const FlashStorage* flash;
    std::size_t base;
    static bool write(void* context, std::size_t offset, const void* data, std::size_t n) {
        const auto* w = static_cast<SlotWriter*>(context);
        return w->flash->program(w->flash->context, w->base + offset, data, n);
    }
};
struct SlotReader {
    const FlashStorage* flash;
    std::size_t base;
    static bool read(void* context, std::size_t offset, void* out, std::size_t n) {
        const auto* r = static_cast<SlotReader*>(context);
        return r->flash->read(r->flash->context, r->base + offset, out, n);
    }
};

// Loads the newest slot whose record and blob are good; `load` is load_blob or load_training_blob.
template <class Target, class Load>
CheckpointStatus load_newest(Target& target, const FlashStorage& flash, Load load, std::uint32_t* sequence) {
    CommitRecord records[2];
    const bool whole[2] = {read_record(flash, 0, records[0]), read_record(flash, 1, records[1])};
    int order[2] = {0, 1};
    if (whole[0] && whole[1] && newer(records[1].sequence, records[0].sequence)) order[0] = 1, order[1] = 0;
    for (int slot : order) {
        if (!whole[slot]) continue;
        SlotReader reader{&flash, static_cast<std::size_t>(slot) * flash.slot_bytes + checkpoint_record_bytes};
        const ByteSource source{&reader, records[slot].blob_bytes, &SlotReader::read};
        if (load(target, source) == BlobStatus::ok) {  // verifies before it writes
            if (sequence) *sequence = records[slot].sequence;
            return CheckpointStatus::ok;
        }
    }
    return CheckpointStatus::no_checkpoint;
}

template <class Source, class Save>
CheckpointStatus save_next(const Source& source, std::size_t blob_size, const FlashStorage& flash, Save save,
                           std::uint32_t* sequence) {
    if (checkpoint_record_bytes + blob_size > flash.slot_bytes) return CheckpointStatus::slot_too_small;
    // Target the slot that does not hold the newest whole record.
    CommitRecord records[2];
    const bool whole[2] = {read_record(flash, 0, records[0]), read_record(flash, 1, records[1])};
    int newest = -1;
    if (whole[0]) newest = 0;
    if (whole[1] && (newest < 0 || newer(records[1].sequence, records[0].sequence))) newest = 1;
    const int slot = newest == 0 ? 1 : 0;
    const std::uint32_t next = newest < 0 ? 1 : records[newest].sequence + 1;
    const std::size_t base = static_cast<std::size_t>(slot) * flash.slot_bytes;

    for (std::size_t page = 0; page < flash.slot_bytes; page += flash.page_bytes)
        if (!flash.erase_page(flash.context, base + page)) return CheckpointStatus::flash_error;
    SlotWriter writer{&flash, base + checkpoint_record_bytes};
    if (save(source, ByteSink{&writer, &SlotWriter::write}) != BlobStatus::ok) return CheckpointStatus::flash_error;
    CommitRecord record{{'T', 'M', 'C', 'K'}, next, static_cast<std::uint32_t>(blob_size), 0};
    record.crc = crc32_update(0, &record, offsetof(CommitRecord, crc));
    if (!flash.program(flash.context, base, &record, sizeof record)) return CheckpointStatus::flash_error;
    if (sequence) *sequence = next;
    return CheckpointStatus::ok;
}

}  // namespace detail

// A network's parameters.
template <class Net>
CheckpointStatus save_checkpoint(const Net& net, const FlashStorage& flash, std::uint32_t* sequence = nullptr) {
    return detail::save_next(net, blob_bytes<Net>, flash,
                             [](const Net& n, const ByteSink& sink) { return save_blob(n, sink); }, sequence);
}
template <class Net>
CheckpointStatus load_checkpoint(Net& net, const FlashStorage& flash, std::uint32_t* sequence = nullptr) {
    return detail::load_newest(net, flash, [](Net& n, const ByteSource& s) { return load_blob(n, s); }, sequence);
}

// A trainer's parameters and optimizer state, to resume on-device training after a reset.
template <class Trainer>
CheckpointStatus save_training_checkpoint(const Trainer& trainer, const FlashStorage& flash,
                                          std::uint32_t* sequence = nullptr) {
    return detail::save_next(trainer, training_blob_bytes<Trainer>, flash,
                             [](const Trainer& t, const ByteSink& sink) { return save_training_blob(t, sink); },
                             sequence);
}
template <class Trainer>
CheckpointStatus load_training_checkpoint(Trainer& trainer, const FlashStorage& flash,
                                          std::uint32_t* sequence = nullptr) {
    return detail::load_newest(trainer, flash,
                               [](Trainer& t, const ByteSource& s) { return load_training_blob(t, s); }, sequence);
}

}  // namespace tinymlp
