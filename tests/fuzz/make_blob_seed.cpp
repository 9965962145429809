// Writes valid blobs as the fuzzer's seed corpus: make_blob_seed <directory>
#include <cstdio>
#include <string>

#include <tinymlp/tinymlp.hpp>

using namespace tinymlp;
using Net = Sequential<Dense<4, 6>, Tanh, Dense<6, 3>>;

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    static Net net;
    net.init(7);
    static Trainer<Net, SoftmaxCrossEntropy, Adam, 2> trainer(net);
    static unsigned char blob[training_blob_bytes<decltype(trainer)>];
    const std::string dir = argv[1];
    if (save_blob(net, blob, sizeof blob) != BlobStatus::ok) return 1;
    std::FILE* f = std::fopen((dir + "/parameters.tmlp").c_str(), "wb");
    if (!f || std::fwrite(blob, 1, blob_bytes<Net>, f) != blob_bytes<Net>) return 1;
    std::fclose(f);
    if (save_training_blob(trainer, blob, sizeof blob) != BlobStatus::ok) return 1;
    f = std::fopen((dir + "/training.tmlp").c_str(), "wb");
    if (!f || std::fwrite(blob, 1, sizeof blob, f) != sizeof blob) return 1;
    std::fclose(f);
    return 0;
}
