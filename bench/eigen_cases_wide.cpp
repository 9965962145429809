// The Eigen section's training cases of 784-H-10 with H of 512, 1024 and 2048 and of 32-64-64-8,
// a translation unit of their own (eigen_cases.cpp).
#define TINYMLP_EIGEN_CASES_PART 1
#include "eigen_cases.cpp"
