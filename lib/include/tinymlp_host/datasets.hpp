// All host dataset helpers (library tinymlp_host, namespace tinymlp::host). These read files and
// allocate; the tinymlp core never includes them.
#pragma once
#include "csv.hpp"
#include "dataset.hpp"
#include "file.hpp"
#include "idx.hpp"
#include "result.hpp"
