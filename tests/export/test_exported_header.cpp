// The header written by generate_header compiles, names the same network type, holds the trained
// parameters bit for bit in constant storage, and its view predicts exactly as the trained network.
#include <cstring>
#include <type_traits>

#include "check.hpp"
#include "exported_model.hpp"
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
