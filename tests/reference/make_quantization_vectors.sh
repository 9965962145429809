#!/bin/sh
# Builds tests/reference/quantization_vectors.cpp against the reference implementations, which stay
# outside this repository, and writes tests/fixtures/quantization.bin:
#   tests/reference/make_quantization_vectors.sh CMSIS_NN_DIR TFLM_DIR GEMMLOWP_DIR
# CMSIS_NN_DIR: a checkout of ARM-software/CMSIS-NN (Include/, and the C sources of
#   arm_fully_connected_per_channel_s8 and arm_fully_connected_s16);
# TFLM_DIR: a checkout of tensorflow/tflite-micro (tensorflow/lite/kernels/internal/common.cc and
#   quantization_util.cc are compiled); GEMMLOWP_DIR: a checkout of google/gemmlowp (fixedpoint/).
# The vectors in the repository came from CMSIS-NN 99f736a6, tflite-micro 90b983c2 and gemmlowp
# 16e8662c, compiled with g++ 12 on x86-64 (CMSIS-NN's portable C path: no ARM_MATH_* macro).
set -eu
[ $# -eq 3 ] || { sed -n '2,9p' "$0"; exit 2; }
cmsis=$1 tflm=$2 gemmlowp=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap "rm -rf $work" EXIT
for source in FullyConnectedFunctions/arm_fully_connected_per_channel_s8.c \
              NNSupportFunctions/arm_nn_vec_mat_mult_t_per_ch_s8.c \
              FullyConnectedFunctions/arm_fully_connected_s16.c \
              NNSupportFunctions/arm_nn_vec_mat_mult_t_s16.c; do
    gcc -std=c11 -O1 -I"$cmsis/Include" -c "$cmsis/Source/$source" -o "$work/$(basename "$source" .c).o"
done
g++ -std=c++17 -O1 -I"$tflm" -I"$gemmlowp" -I"$cmsis/Include" \
    "$here/quantization_vectors.cpp" "$work"/*.o \
    "$tflm/tensorflow/lite/kernels/internal/common.cc" \
    "$tflm/tensorflow/lite/kernels/internal/quantization_util.cc" \
    -o "$work/quantization_vectors"
"$work/quantization_vectors" "$here/../fixtures/quantization.bin"
