# tinymlp_x86_dispatch_sources(<target> <source>...)
#
# Adds the sources to <target> once per x86-64 instruction set (baseline SSE2, AVX2 + FMA, AVX-512
# F/BW/DQ/VL + FMA), each variant in its own namespace (TINYMLP_ISA_VARIANT, see
# include/tinymlp/dispatch.hpp), and defines TINYMLP_X86_DISPATCH=1 on the target so that
# TINYMLP_ISA_PICK chooses among them at run time. The variants link after the target's other
# sources, oldest instruction set first (see dispatch.hpp for why).
#
# TINYMLP_X86_DISPATCH (option) is ON on x86-64 when the C++ flags choose no instruction set
# (no -march=, -mavx..., -mfma, -msse3/4): there a build cannot know its users' CPUs. Elsewhere
# (presets, -march=native, cross and firmware builds) the sources are added once, as they are,
# and the instruction set stays the compiler's.
if(NOT DEFINED TINYMLP_X86_DISPATCH)
    if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$" AND NOT CMAKE_CROSSCOMPILING
       AND NOT " ${CMAKE_CXX_FLAGS} " MATCHES " -m(arch=|avx|fma|sse[34]|x86-64-v)")
        set(_tinymlp_x86_dispatch_default ON)
    else()
        set(_tinymlp_x86_dispatch_default OFF)
    endif()
    option(TINYMLP_X86_DISPATCH
           "x86-64: compile tinymlp_x86_dispatch_sources for SSE2, AVX2 and AVX-512 and choose at run time"
           ${_tinymlp_x86_dispatch_default})
    unset(_tinymlp_x86_dispatch_default)
endif()

set(TINYMLP_ISA_FLAGS_sse2 "")
set(TINYMLP_ISA_FLAGS_avx2 -mavx2 -mfma)
set(TINYMLP_ISA_FLAGS_avx512 -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni -mfma)

function(tinymlp_x86_dispatch_sources target)
    if(NOT TINYMLP_X86_DISPATCH)
        target_sources(${target} PRIVATE ${ARGN})
        return()
    endif()
    foreach(level IN ITEMS sse2 avx2 avx512)
        foreach(source IN LISTS ARGN)
            get_filename_component(path "${source}" ABSOLUTE)
            get_filename_component(name "${source}" NAME_WE)
            set(variant "${CMAKE_CURRENT_BINARY_DIR}/${target}_isa/${name}.${level}.cpp")
            file(CONFIGURE OUTPUT "${variant}" CONTENT "// ${name} for ${level} (tinymlp_x86_dispatch_sources)\n#include \"${path}\"\n")
            target_sources(${target} PRIVATE "${variant}")
            set_source_files_properties("${variant}" TARGET_DIRECTORY ${target} PROPERTIES
                COMPILE_OPTIONS "${TINYMLP_ISA_FLAGS_${level}}" OBJECT_DEPENDS "${path}")
        endforeach()
    endforeach()
    target_compile_definitions(${target} PRIVATE TINYMLP_X86_DISPATCH=1)
endfunction()
