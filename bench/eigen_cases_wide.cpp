// The Eigen section's 784-H-10 networks with H of 512, 1024 and 2048, a translation unit of their
// own (eigen_cases.cpp).
#define TINYMLP_EIGEN_CASES_PART 1
#include "eigen_cases.cpp"
