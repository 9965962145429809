// Power-safe checkpoints in flash: two slots (A and B), each holding a blob (blob.hpp) behind a
// commit record. A save always goes to the slot that does not hold the checkpoint a load would
// return (the same full check of record and blob decides both): it erases that slot, programs the
// blob, calls the optional sync barrier, and programs the commit record last. A power cut at any
// moment therefore leaves the previous checkpoint intact, and the half-written slot fails its
// record or blob check on the next load, which picks the newest slot that passes both.
//
//   slot layout: [ "TMCK" | sequence u32 | blob bytes u32 | CRC-32 of the previous 12 bytes ]
//                [ 0xFF padding up to max(16, program_unit) bytes ][ blob ][ 0xFF up to a whole unit ]
//
// Flash is reached through FlashStorage callbacks (no heap, no driver dependency): erase sets a
// page to 0xFF, program writes bytes into erased flash. Every program call covers whole program
// units at unit-aligned addresses and programs each unit once, so 8/16/32-byte NOR or ECC flash
// needs no buffering of its own.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "blob.hpp"
#include "crc32.hpp"

namespace tinymlp {

inline constexpr std::size_t checkpoint_record_bytes = 16;
inline constexpr std::size_t max_program_unit = 64;

struct FlashStorage {
    void* context;
    std::size_t page_bytes;  // erase unit
    std::size_t slot_bytes;  // one slot, a multiple of page_bytes; slot A at 0, slot B at slot_bytes
    bool (*read)(void* context, std::size_t address, void* out, std::size_t n);
    bool (*erase_page)(void* context, std::size_t address);
    bool (*program)(void* context, std::size_t address, const void* data, std::size_t n);
    // Smallest programmable piece: a power of two up to max_program_unit that divides slot_bytes.
    std::size_t program_unit = 1;
    // Optional barrier between the blob and its commit record (flush a write cache, wait for the
    // flash to finish); a false return stops the save before the record is programmed.
    bool (*sync)(void* context) = nullptr;
};

enum class [[nodiscard]] CheckpointStatus {
    ok = 0,
    no_checkpoint,   // load: neither slot holds a good checkpoint of this network / trainer
    slot_too_small,  // save: the blob does not fit in a slot
    flash_error,     // save: an erase, program or sync failed (the previous checkpoint is still intact)
    bad_geometry,    // page_bytes, slot_bytes or program_unit do not fit together; flash not touched
};

constexpr const char* to_string(CheckpointStatus status) {
    switch (status) {
        case CheckpointStatus::ok: return "ok";
        case CheckpointStatus::no_checkpoint: return "no checkpoint";
        case CheckpointStatus::slot_too_small: return "slot too small";
        case CheckpointStatus::flash_error: return "flash error";
        case CheckpointStatus::bad_geometry: return "bad flash geometry";
    }
    return "unknown checkpoint status";
}

// Bytes before the blob in a slot: the record, padded to whole program units.
constexpr std::size_t checkpoint_header_bytes(const FlashStorage& flash) {
    return flash.program_unit > checkpoint_record_bytes ? flash.program_unit : checkpoint_record_bytes;
}

namespace detail {

struct CommitRecord {
    char magic[4];
    std::uint32_t sequence;
    std::uint32_t blob_bytes;
    std::uint32_t crc;
};
static_assert(sizeof(CommitRecord) == checkpoint_record_bytes, "tinymlp: CommitRecord must be 16 bytes");

inline bool valid_geometry(const FlashStorage& flash) {
    const std::size_t unit = flash.program_unit;
    return flash.page_bytes > 0 && unit > 0 && (unit & (unit - 1)) == 0 && unit <= max_program_unit &&
           flash.slot_bytes % flash.page_bytes == 0 && flash.slot_bytes % unit == 0 &&
           flash.slot_bytes > checkpoint_header_bytes(flash);
}

// A slot's commit record, if it is whole. (The blob behind it is checked by the blob loader.)
inline bool read_record(const FlashStorage& flash, std::size_t slot, CommitRecord& record) {
    if (!flash.read(flash.context, slot * flash.slot_bytes, &record, sizeof record)) return false;
    return std::memcmp(record.magic, "TMCK", 4) == 0 &&
           record.crc == crc32_update(0, &record, offsetof(CommitRecord, crc)) &&
           record.blob_bytes <= flash.slot_bytes - checkpoint_header_bytes(flash);
}

// Sequence numbers compared modulo 2^32, so that wrapping around keeps the order.
inline bool newer(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) > 0; }

// Both slots' records; `order` lists the slots with a whole record, newest first; returns how many.
inline std::size_t recorded_slots(const FlashStorage& flash, CommitRecord (&records)[2], std::size_t (&order)[2]) {
    std::size_t count = 0;
    for (std::size_t slot = 0; slot < 2; ++slot)
        if (read_record(flash, slot, records[slot])) order[count++] = slot;
    if (count == 2 && newer(records[1].sequence, records[0].sequence)) order[0] = 1, order[1] = 0;
    return count;
}

// Programs a blob in whole, aligned program units, in the order the blob writer gives its bytes;
// a partial last unit is kept in `unit` until flush() pads it with 0xFF (erased flash).
struct SlotWriter {
    const FlashStorage* flash;
    std::size_t address;      // next unit to program
    std::size_t written = 0;  // blob bytes received
    std::size_t pending = 0;  // of them, still in `unit`
    unsigned char unit[max_program_unit] = {};

    bool put(const unsigned char* data, std::size_t n) {
        const std::size_t size = flash->program_unit;
        while (n > 0) {
            std::size_t taken;
            if (pending == 0 && n >= size) {
                taken = n - n % size;
                if (!flash->program(flash->context, address, data, taken)) return false;
                address += taken;
            } else {
                taken = size - pending < n ? size - pending : n;
                std::memcpy(unit + pending, data, taken);
                pending += taken;
                if (pending == size && !flush()) return false;
            }
            data += taken;
            n -= taken;
        }
        return true;
    }
    bool flush() {
        if (pending == 0) return true;
        const std::size_t size = flash->program_unit;
        std::memset(unit + pending, 0xFF, size - pending);
        if (!flash->program(flash->context, address, unit, size)) return false;
        address += size;
        pending = 0;
        return true;
    }
    static bool write(void* context, std::size_t offset, const void* data, std::size_t n) {
        auto* w = static_cast<SlotWriter*>(context);
        if (offset != w->written) return false;  // blob writers write in order
        w->written += n;
        return w->put(static_cast<const unsigned char*>(data), n);
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

inline ByteSource slot_source(const FlashStorage& flash, std::size_t slot, const CommitRecord& record,
                              SlotReader& reader) {
    reader = SlotReader{&flash, slot * flash.slot_bytes + checkpoint_header_bytes(flash)};
    return ByteSource{&reader, record.blob_bytes, &SlotReader::read};
}

// Loads the newest slot whose record and blob are good; `load` is load_blob or load_training_blob.
// `refused` receives why the newest recorded slot's blob was refused, if it was (even when the
// older slot then loads); it is left unchanged when the newest loads or no slot has a record.
template <class Target, class Load>
CheckpointStatus load_newest(Target& target, const FlashStorage& flash, Load load, std::uint32_t* sequence,
                             BlobStatus* refused) {
    if (!valid_geometry(flash)) return CheckpointStatus::bad_geometry;
    CommitRecord records[2];
    std::size_t order[2];
    const std::size_t count = recorded_slots(flash, records, order);
    for (std::size_t i = 0; i < count; ++i) {
        SlotReader reader;
        // A refusal leaves the target untouched, or (source_changed) is repaired by the next slot.
        const BlobStatus status = load(target, slot_source(flash, order[i], records[order[i]], reader));
        if (status == BlobStatus::ok) {
            if (sequence) *sequence = records[order[i]].sequence;
            return CheckpointStatus::ok;
        }
        if (refused && i == 0) *refused = status;
    }
    return CheckpointStatus::no_checkpoint;
}

// `check` is the read-only first pass of the loader that will read this checkpoint back, so the
// slot a load would return is never the one erased.
template <class Source, class Save, class Check>
CheckpointStatus save_next(const Source& source, std::size_t blob_size, const FlashStorage& flash, Save save,
                           Check check, std::uint32_t* sequence) {
    if (!valid_geometry(flash)) return CheckpointStatus::bad_geometry;
    if (checkpoint_header_bytes(flash) + blob_size > flash.slot_bytes) return CheckpointStatus::slot_too_small;
    CommitRecord records[2];
    std::size_t order[2];
    const std::size_t count = recorded_slots(flash, records, order);
    std::size_t slot = 0;  // the slot after the one a load returns, or A when none would load
    for (std::size_t i = 0; i < count; ++i) {
        SlotReader reader;
        BlobHeader header;
        std::uint32_t crc;
        if (check(slot_source(flash, order[i], records[order[i]], reader), header, crc) == BlobStatus::ok) {
            slot = 1 - order[i];
            break;
        }
    }
    // Newer than every whole record, so that a damaged newer one cannot outrank the new save.
    const std::uint32_t next = count == 0 ? 1 : records[order[0]].sequence + 1;
    const std::size_t base = slot * flash.slot_bytes;

    for (std::size_t page = 0; page < flash.slot_bytes; page += flash.page_bytes)
        if (!flash.erase_page(flash.context, base + page)) return CheckpointStatus::flash_error;
    SlotWriter writer{&flash, base + checkpoint_header_bytes(flash)};
    if (save(source, ByteSink{&writer, &SlotWriter::write}) != BlobStatus::ok || !writer.flush())
        return CheckpointStatus::flash_error;
    if (flash.sync && !flash.sync(flash.context)) return CheckpointStatus::flash_error;
    CommitRecord record{{'T', 'M', 'C', 'K'}, next, static_cast<std::uint32_t>(blob_size), 0};
    record.crc = crc32_update(0, &record, offsetof(CommitRecord, crc));
    unsigned char padded[max_program_unit > checkpoint_record_bytes ? max_program_unit : checkpoint_record_bytes];
    std::memset(padded, 0xFF, sizeof padded);
    std::memcpy(padded, &record, sizeof record);
    if (!flash.program(flash.context, base, padded, checkpoint_header_bytes(flash)))
        return CheckpointStatus::flash_error;
    if (sequence) *sequence = next;
    return CheckpointStatus::ok;
}

}  // namespace detail

// A network's parameters. `refused` (if given) receives why the newest recorded slot was refused,
// e.g. BlobStatus::wrong_topology after a firmware update changed the network, or bad_checksum.
template <class Net>
CheckpointStatus save_checkpoint(const Net& net, const FlashStorage& flash, std::uint32_t* sequence = nullptr) {
    return detail::save_next(net, blob_bytes<Net>, flash,
                             [](const Net& n, const ByteSink& sink) { return save_blob(n, sink); },
                             &detail::verify_blob_for<Net>, sequence);
}
template <class Net>
CheckpointStatus load_checkpoint(Net& net, const FlashStorage& flash, std::uint32_t* sequence = nullptr,
                                 BlobStatus* refused = nullptr) {
    return detail::load_newest(net, flash, [](Net& n, const ByteSource& s) { return load_blob(n, s); }, sequence,
                               refused);
}

// A trainer's parameters and optimizer state, to resume on-device training after a reset.
template <class Trainer>
CheckpointStatus save_training_checkpoint(const Trainer& trainer, const FlashStorage& flash,
                                          std::uint32_t* sequence = nullptr) {
    return detail::save_next(trainer, training_blob_bytes<Trainer>, flash,
                             [](const Trainer& t, const ByteSink& sink) { return save_training_blob(t, sink); },
                             &detail::verify_training_blob<Trainer>, sequence);
}
template <class Trainer>
CheckpointStatus load_training_checkpoint(Trainer& trainer, const FlashStorage& flash,
                                          std::uint32_t* sequence = nullptr, BlobStatus* refused = nullptr) {
    return detail::load_newest(trainer, flash,
                               [](Trainer& t, const ByteSource& s) { return load_training_blob(t, s); }, sequence,
                               refused);
}

}  // namespace tinymlp
