# Makes the imported target `xsimd` usable on Debian 12 (libxsimd-dev 8.1.0).
#
# That package exports `xsimd` with INTERFACE_LINK_LIBRARIES "xtl", but neither its config file
# nor the package pulls in xtl. Without a target named `xtl`, CMake turns the entry into `-lxtl`
# and every link fails with "cannot find -lxtl". xsimd only needs xtl when
# XSIMD_ENABLE_XTL_COMPLEX is defined (tinymlp never defines it), so when no xtl is available the
# entry is dropped. Included by the top-level CMakeLists.txt and by the installed tinymlpConfig.cmake.
if(TARGET xsimd AND NOT TARGET xtl)
    get_target_property(_tinymlp_xsimd_libs xsimd INTERFACE_LINK_LIBRARIES)
    if(_tinymlp_xsimd_libs AND "xtl" IN_LIST _tinymlp_xsimd_libs)
        find_package(xtl QUIET)
        if(NOT TARGET xtl)
            list(REMOVE_ITEM _tinymlp_xsimd_libs xtl)
            set_target_properties(xsimd PROPERTIES INTERFACE_LINK_LIBRARIES "${_tinymlp_xsimd_libs}")
        endif()
    endif()
    unset(_tinymlp_xsimd_libs)
endif()
