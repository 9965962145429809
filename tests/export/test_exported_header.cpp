// The header written by generate_header compiles, names the same network type, holds the trained
// parameters bit for bit in constant storage, and its view predicts exactly as the trained network.
#include <cstring>
#include <type_traits>

#include "check.hpp"
#include "exported_model.hpp"
#include "exported_quantized_model.hpp"
#include "trained_model.hpp"

static_assert(std::is_same_v<exported_model::Network, export_test::Net>,
              "the exported alias must spell the trained network's type");

TEST(exported_parameters_and_predictions_match_the_trained_network) {
    static export_test::Net net;
    export_test::train(net);
    CHECK(std::memcmp(exported_model::parameters, net.parameters(), export_test::Net::parameter_bytes) == 0);
    CHECK(exported_model::topology_signature == export_test::Net::topology_signature());
    for (int n = 0; n < 4; ++n) {
        float from_view[3], from_net[3];
        CHECK(exported_model::network.predict(export_test::inputs + 4 * n, from_view) == tinymlp::Status::ok);
        CHECK(net.predict(export_test::inputs + 4 * n, from_net) == tinymlp::Status::ok);
        CHECK(std::memcmp(from_view, from_net, sizeof from_net) == 0);
    }
}

// The quantized header: the whole network a constant expression (so a const one is in flash, which
// ctest exported_quantized_network_in_flash checks on Cortex-M), every field the quantization's,
// and predictions byte for byte those of the network quantized here.
static_assert(std::is_same_v<exported_quantized_model::Quantized, export_test::Quantized>);
static_assert(exported_quantized_model::network.input_quantization().scale > 0 &&
                  exported_quantized_model::network.layer<2>().params.activation_min == -128,
              "the exported network is a constant expression");

TEST(exported_quantized_network_is_the_quantized_network) {
    static export_test::QuantizableNet net;
    static export_test::Quantized quantized;
    CHECK(export_test::train_and_quantize(net, quantized));
    const auto& exported = exported_quantized_model::network;
    CHECK(exported_quantized_model::topology_signature == export_test::QuantizableNet::topology_signature());
    CHECK(exported.input_quantization().scale == quantized.input_quantization().scale &&
          exported.input_quantization().zero_point == quantized.input_quantization().zero_point);
    const auto same_layer = [](const auto& a, const auto& b) {
        bool same = std::memcmp(a.weights, b.weights, sizeof a.weights) == 0 && std::memcmp(a.bias, b.bias, sizeof a.bias) == 0;
        for (std::size_t o = 0; o < sizeof a.bias / sizeof a.bias[0]; ++o)
            same &= a.multipliers[o].multiplier == b.multipliers[o].multiplier && a.multipliers[o].shift == b.multipliers[o].shift;
        return same && a.params.input_offset == b.params.input_offset && a.params.output_offset == b.params.output_offset &&
               a.params.activation_min == b.params.activation_min && a.params.activation_max == b.params.activation_max &&
               a.output.scale == b.output.scale && a.output.zero_point == b.output.zero_point;
    };
    CHECK(same_layer(exported.layer<0>(), quantized.layer<0>()) && same_layer(exported.layer<1>(), quantized.layer<1>()) &&
          same_layer(exported.layer<2>(), quantized.layer<2>()));
    for (int n = 0; n < 4; ++n) {
        float from_header[3], from_quantized[3];
        CHECK(exported.predict(export_test::inputs + 4 * n, from_header) == tinymlp::Status::ok);
        CHECK(quantized.predict(export_test::inputs + 4 * n, from_quantized) == tinymlp::Status::ok);
        CHECK(std::memcmp(from_header, from_quantized, sizeof from_quantized) == 0);
    }
}
