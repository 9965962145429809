# Shared by the cmake -P test scripts beside it (consumer, subdirectory, pkg-config, without-zlib):
#   tinymlp_run_step(<tag> <name> <command>...)  runs a command and prints its output, fails the
#                                                script if it fails; the output is left in
#                                                _step_output for checks that read it
#   tinymlp_fresh_directory(<dir>)               empties (or creates) a scratch directory
include_guard(GLOBAL)

function(tinymlp_run_step tag name)
    string(REPLACE ";" " " _shown "${ARGN}")
    message(STATUS "[${tag}] ${name}: ${_shown}")
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE _result OUTPUT_VARIABLE _output ERROR_VARIABLE _output)
    message("${_output}")
    if(NOT _result EQUAL 0)
        message(FATAL_ERROR "[${tag}] ${name} failed (${_result})")
    endif()
    set(_step_output "${_output}" PARENT_SCOPE)
endfunction()

function(tinymlp_fresh_directory dir)
    file(REMOVE_RECURSE "${dir}")
    file(MAKE_DIRECTORY "${dir}")
endfunction()
