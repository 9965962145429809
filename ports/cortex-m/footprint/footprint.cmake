# Footprint report of a 32-64-64-8 MLP on Cortex-M (ctest footprint_report, see ports/README.md):
#
#   cmake "-DEMULATOR=/bin/sh|run-firmware.sh|qemu-system-arm|mps2-an386" -DMACHINE=mps2-an386
#         -DSIZE=arm-none-eabi-size -DNM=arm-none-eabi-nm
#         -DINFERENCE=<elf> -DINFERENCE_INT8=<elf> -DTRAINING=<elf> -DBASELINE=<elf> -DTRAINING_MEMORY=<elf>
#         -DTRAINING_CODE_SGD=<elf> -DTRAINING_CODE_ADAM=<elf>
#         -DINFERENCE_SMALL=<elf> -DTRAINING_CODE_SGD_SMALL=<elf> -DTRAINING_CODE_ADAM_SMALL=<elf>
#         -P footprint.cmake
#
# EMULATOR holds the words of the emulator's command line joined by '|'. Runs the three images,
# which print "footprint <key> <value>" lines (constexpr figures, sizeof, stack high-water marks),
# reads their sections with `size -A` and their objects' sizes with `nm -S`, prints one table and
# fails when a constexpr memory figure of the library does not match the object in the image.
#
# flash = .text (code and .rodata: the linker script puts both there) + the vector table,
#         .ARM.exidx and the init arrays + .data (its initial values are stored in flash);
# RAM   = .data + .bss. The .stack section (256 KiB program + 4 KiB exception stack, NOLOAD)
#         is not counted: the stack column has what the program really uses of it.
cmake_minimum_required(VERSION 3.20)

foreach(_var EMULATOR MACHINE SIZE NM INFERENCE INFERENCE_INT8 TRAINING BASELINE TRAINING_MEMORY TRAINING_CODE_SGD
             TRAINING_CODE_ADAM INFERENCE_SMALL TRAINING_CODE_SGD_SMALL TRAINING_CODE_ADAM_SMALL)
    if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
        message(FATAL_ERROR "footprint.cmake: -D${_var}=... is missing (see the usage at the top)")
    endif()
endforeach()
string(REPLACE "|" ";" emulator "${EMULATOR}")
set(failures "")

# Runs an image; its "footprint <key> <value>" lines become <name>_<key>.
function(run_image name elf)
    execute_process(COMMAND ${emulator} "${elf}" OUTPUT_VARIABLE out ERROR_VARIABLE err
                    RESULT_VARIABLE rc TIMEOUT 120)
    message("--- ${name}: ${elf}\n${out}${err}")
    if(NOT rc STREQUAL "0")
        message(FATAL_ERROR "footprint: ${name} image failed (exit status ${rc})")
    endif()
    string(REGEX MATCHALL "footprint [a-z_0-9]+ [0-9]+" lines "${out}")
    foreach(line IN LISTS lines)
        string(REGEX REPLACE "footprint ([a-z_0-9]+) ([0-9]+)" "\\1;\\2" kv "${line}")
        list(GET kv 0 key)
        list(GET kv 1 value)
        set(${name}_${key} ${value} PARENT_SCOPE)
    endforeach()
endfunction()

# <name>_flash, <name>_ram, <name>_text, <name>_data, <name>_bss from `size -A -d`: flash is
# every section with contents in the image but the debug information, whatever the memory map
# (.isr_vector, .text, .ARM.exidx, the init arrays, .data's initial values, ...).
function(section_sizes name elf)
    execute_process(COMMAND "${SIZE}" -A -d "${elf}" OUTPUT_VARIABLE out RESULT_VARIABLE rc)
    if(NOT rc STREQUAL "0")
        message(FATAL_ERROR "footprint: '${SIZE} -A -d ${elf}' failed")
    endif()
    set(flash 0)
    set(_text 0)
    set(_data 0)
    set(_bss 0)
    string(REGEX MATCHALL "\n\\.[^ \n]+ +[0-9]+ +[0-9]+" sections "\n${out}")
    foreach(line IN LISTS sections)
        string(REGEX MATCH "\\.([^ \n]+) +([0-9]+)" _ "${line}")
        set(section "${CMAKE_MATCH_1}")
        set(bytes "${CMAKE_MATCH_2}")
        if(section MATCHES "^(text|data|bss)$")
            set(_${section} ${bytes})
        endif()
        if(NOT section MATCHES "^(stack|bss|comment|ARM\\.attributes|debug.*)$")
            math(EXPR flash "${flash} + ${bytes}")
        endif()
    endforeach()
    math(EXPR ram "${_data} + ${_bss}")
    set(${name}_flash ${flash} PARENT_SCOPE)
    set(${name}_ram ${ram} PARENT_SCOPE)
    set(${name}_text ${_text} PARENT_SCOPE)
    set(${name}_data ${_data} PARENT_SCOPE)
    set(${name}_bss ${_bss} PARENT_SCOPE)
endfunction()

# <out>_size and <out>_address of a demangled symbol, from `nm -S -C`, and
# <out>_in_flash: whether it lies in the linker script's CODE region, whose bounds the firmware
# carries as __code_region_start and __code_region_size (ports/cortex-m/linker/sections.ld).
function(symbol out elf symbol)
    execute_process(COMMAND "${NM}" -S -C "${elf}" OUTPUT_VARIABLE table RESULT_VARIABLE rc)
    if(NOT rc STREQUAL "0")
        message(FATAL_ERROR "footprint: '${NM} -S -C ${elf}' failed")
    endif()
    foreach(bound start size)
        if(NOT "\n${table}" MATCHES "\n([0-9a-f]+) [A-Za-z] __code_region_${bound}\n")
            message(FATAL_ERROR "footprint: __code_region_${bound} not found in ${elf}")
        endif()
        math(EXPR code_${bound} "0x${CMAKE_MATCH_1}")
    endforeach()
    if(NOT "\n${table}" MATCHES "\n([0-9a-f]+) ([0-9a-f]+) [A-Za-z] ${symbol}\n")
        message(FATAL_ERROR "footprint: symbol ${symbol} not found in ${elf}")
    endif()
    math(EXPR address "0x${CMAKE_MATCH_1}")
    math(EXPR size "0x${CMAKE_MATCH_2}")
    math(EXPR code_end "${code_start} + ${code_size}")
    if(address LESS code_start OR NOT address LESS code_end)
        set(${out}_in_flash FALSE PARENT_SCOPE)
    else()
        set(${out}_in_flash TRUE PARENT_SCOPE)
    endif()
    math(EXPR address_hex "${address}" OUTPUT_FORMAT HEXADECIMAL)
    set(${out}_address ${address_hex} PARENT_SCOPE)
    set(${out}_size ${size} PARENT_SCOPE)
endfunction()

# Sum of the out-of-line code and data of tinymlp (mangled names _ZN7tinymlp..., also const
# members _ZNK and local entities _ZZN) in an image; most of the library is inlined into the
# program's own functions, so this is a lower bound of its share.
function(library_share out elf)
    execute_process(COMMAND "${NM}" -S "${elf}" OUTPUT_VARIABLE table RESULT_VARIABLE rc)
    string(REGEX MATCHALL "[0-9a-f]+ [0-9a-f]+ [tTwWrR] _ZZ?NK?7tinymlp[^\n]*" lines "${table}")
    set(seen "")
    set(total 0)
    foreach(line IN LISTS lines)
        string(REGEX MATCH "^([0-9a-f]+) ([0-9a-f]+)" _ "${line}")
        if(NOT CMAKE_MATCH_1 IN_LIST seen)  # aliases share an address
            list(APPEND seen ${CMAKE_MATCH_1})
            math(EXPR total "${total} + 0x${CMAKE_MATCH_2}")
        endif()
    endforeach()
    set(${out} ${total} PARENT_SCOPE)
endfunction()

# Records a check: ok, or a failure (the test fails after the table is printed).
macro(check label condition_text)
    if(${ARGN})
        set(${label} "ok")
    else()
        set(${label} "MISMATCH")
        list(APPEND failures "${condition_text}")
    endif()
endmacro()

run_image(inference "${INFERENCE}")
run_image(int8 "${INFERENCE_INT8}")
run_image(training "${TRAINING}")
run_image(baseline "${BASELINE}")
run_image(memory "${TRAINING_MEMORY}")
foreach(image inference training baseline)
    string(TOUPPER ${image} var)
    section_sizes(${image} "${${var}}")
    library_share(${image}_library "${${var}}")
endforeach()
section_sizes(int8 "${INFERENCE_INT8}")
run_image(code_sgd "${TRAINING_CODE_SGD}")
run_image(code_adam "${TRAINING_CODE_ADAM}")
section_sizes(code_sgd "${TRAINING_CODE_SGD}")
section_sizes(code_adam "${TRAINING_CODE_ADAM}")
# the same three programs built with TINYMLP_SMALL_CODE=1
run_image(inference_small "${INFERENCE_SMALL}")
run_image(code_sgd_small "${TRAINING_CODE_SGD_SMALL}")
run_image(code_adam_small "${TRAINING_CODE_ADAM_SMALL}")
section_sizes(inference_small "${INFERENCE_SMALL}")
section_sizes(code_sgd_small "${TRAINING_CODE_SGD_SMALL}")
section_sizes(code_adam_small "${TRAINING_CODE_ADAM_SMALL}")
foreach(key inference_parameter_bytes inference_sizeof_parameters inference_predict_scratch_bytes
            inference_stack_high_water inference_stack_call training_parameter_bytes
            training_storage_alignment training_sizeof_net training_training_bytes
            training_optimizer_state_bytes training_memory_bytes training_settings_bytes
            training_aligned_arrays training_sizeof_trainer
            training_stack_high_water training_stack_call training_batch)
    if(NOT DEFINED ${key})
        message(FATAL_ERROR "footprint: the firmware did not print '${key}'")
    endif()
endforeach()

symbol(parameters "${INFERENCE}" "footprint::parameters")
symbol(quantized "${INFERENCE_INT8}" "footprint::quantized")
symbol(net "${TRAINING}" "footprint::net")
symbol(trainer "${TRAINING}" "footprint::trainer")

# 1. The parameter array of the inference image is parameter_bytes, and in flash.
check(parameters_ok "footprint::parameters: ${parameters_size} bytes, Net::parameter_bytes ${inference_parameter_bytes}"
      parameters_size EQUAL inference_parameter_bytes AND parameters_size EQUAL inference_sizeof_parameters)
check(parameters_flash_ok "footprint::parameters at ${parameters_address}: not in the flash (CODE) region"
      parameters_in_flash)
# 1b. The int8 image's QuantizedNetwork is sizeof(QuantizedNetwork), in flash, and carries at most
#     a third of the float parameters' bytes (int8 weights, int32 biases, multipliers, clamps).
check(quantized_ok "footprint::quantized: ${quantized_size} bytes, sizeof(QuantizedNetwork) ${int8_sizeof_quantized}"
      quantized_size EQUAL int8_sizeof_quantized)
check(quantized_flash_ok "footprint::quantized at ${quantized_address}: not in the flash (CODE) region" quantized_in_flash)
math(EXPR quantized_thrice "3 * ${quantized_size}")
check(quantized_third_ok "footprint::quantized: ${quantized_size} bytes, more than a third of the float parameters' ${int8_float_parameter_bytes}"
      NOT quantized_thrice GREATER int8_float_parameter_bytes)
math(EXPR quantized_permille "1000 * ${quantized_size} / ${int8_float_parameter_bytes}")
# 2. A Net is its parameters, rounded up to the storage alignment (one aligned block).
math(EXPR net_expected
     "(${training_parameter_bytes} + ${training_storage_alignment} - 1) / ${training_storage_alignment} * ${training_storage_alignment}")
check(net_ok "footprint::net: ${net_size} bytes, Net::parameter_bytes rounded to ${training_storage_alignment}: ${net_expected}"
      net_size EQUAL net_expected AND net_size EQUAL training_sizeof_net)
# 3. A Trainer holds memory_bytes = training_bytes<B> + optimizer_state_bytes, plus its settings
#    (settings_bytes) and the alignment padding of its aligned arrays (the bound static_asserted in
#    tests/test_network_layout.cpp).
math(EXPR memory_sum "${training_training_bytes} + ${training_optimizer_state_bytes}")
math(EXPR trainer_bound
     "${training_memory_bytes} + ${training_settings_bytes} + ${training_aligned_arrays} * ${training_storage_alignment}")
math(EXPR trainer_extra "${trainer_size} - ${training_memory_bytes}")
if(trainer_extra GREATER_EQUAL 0)
    set(trainer_extra "+${trainer_extra}")
endif()
check(trainer_ok "footprint::trainer: ${trainer_size} bytes, Trainer::memory_bytes ${training_memory_bytes} (allowed: up to ${trainer_bound})"
      memory_sum EQUAL training_memory_bytes AND trainer_size EQUAL training_sizeof_trainer AND
      NOT trainer_size LESS training_memory_bytes AND NOT trainer_size GREATER trainer_bound)
# 4. predict() keeps two buffers of the widest layer on the stack (predict_scratch_bytes): the
#    measured use of the call cannot be less.
check(predict_stack_ok "predict() used ${inference_stack_call} bytes of stack, less than Net::predict_scratch_bytes ${inference_predict_scratch_bytes}: the measurement is broken"
      NOT inference_stack_call LESS inference_predict_scratch_bytes)

function(pad out text width)
    string(LENGTH "${text}" n)
    while(n LESS width)
        string(APPEND text " ")
        math(EXPR n "${n} + 1")
    endwhile()
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

# 5. The trainers of on-device training (training_memory.cpp, batch 1): each object's size is its
#    sizeof, between memory_bytes and memory_bytes + settings + alignment padding; the RAM beyond
#    the parameters and the optimizer state is what fusing and freezing save.
set(memory_rows "")
foreach(name sgd_full sgd_fused adam_full adam_fused adam_last_layer adam_biases_only)
    foreach(key memory_bytes optimizer_state_bytes settings_bytes aligned_arrays sizeof trainable network_sizeof
                stack_call ok)
        if(NOT DEFINED memory_${name}_${key})
            message(FATAL_ERROR "footprint: the training-memory image did not print '${name}_${key}'")
        endif()
    endforeach()
    symbol(${name} "${TRAINING_MEMORY}" "footprint::${name}")
    set(m memory_${name})
    math(EXPR bound "${${m}_memory_bytes} + ${${m}_settings_bytes} + ${${m}_aligned_arrays} * ${memory_storage_alignment}")
    math(EXPR beyond "${${name}_size} - ${${m}_optimizer_state_bytes}")
    check(${name}_ok "footprint::${name}: ${${name}_size} bytes, memory_bytes ${${m}_memory_bytes} (allowed: up to ${bound}), sizeof ${${m}_sizeof}, steps ok ${${m}_ok}"
          ${name}_size EQUAL ${m}_sizeof AND NOT ${name}_size LESS ${m}_memory_bytes AND NOT ${name}_size GREATER bound
          AND ${m}_ok EQUAL 1)
    pad(label "${name}" 17)
    pad(trains "${${m}_trainable}" 9)
    pad(netb "${${m}_network_sizeof}" 8)
    pad(state "${${m}_optimizer_state_bytes}" 7)
    pad(beyondp "${beyond}" 17)
    pad(size "${${name}_size}" 8)
    string(APPEND memory_rows "| ${label} | ${trains} | ${netb} | ${state} | ${beyondp} | ${size} | ${${m}_memory_bytes} <= ${${name}_size} <= ${bound}: ${${name}_ok}; step's stack ${${m}_stack_call} |\n")
endforeach()
math(EXPR sgd_goal "${sgd_fused_size}")
math(EXPR adam_goal "${adam_fused_size} - ${memory_adam_fused_optimizer_state_bytes}")

# --- the table -----------------------------------------------------------------------------------
function(row image flash ram stack figure)
    pad(image "${image}" 40)
    pad(flash "${flash}" 9)
    pad(ram "${ram}" 9)
    pad(stack "${stack}" 22)
    string(APPEND table_text "| ${image} | ${flash} | ${ram} | ${stack} | ${figure} |\n")
    set(table_text "${table_text}" PARENT_SCOPE)
endfunction()

set(table_text "")
row("image" "flash" "RAM" "stack high-water" "constexpr figure vs symbol size (nm -S)")
row("----------------------------------------" "---------" "---------" "----------------------" "---")
row("inference: const parameters in flash" "${inference_flash}" "${inference_ram}"
    "${inference_stack_high_water} (predict ${inference_stack_call})"
    "Net::parameter_bytes ${inference_parameter_bytes} = footprint::parameters ${parameters_size}, in flash: ${parameters_ok}, ${parameters_flash_ok}")
row("" "" "" ""
    "Net::predict_scratch_bytes ${inference_predict_scratch_bytes} <= predict's stack ${inference_stack_call}: ${predict_stack_ok}")
row("training: Net + Adam trainer, batch ${training_batch}" "${training_flash}" "${training_ram}"
    "${training_stack_high_water} (step ${training_stack_call})"
    "Net::parameter_bytes ${training_parameter_bytes} -> ${net_expected} (${training_storage_alignment}-byte blocks) = footprint::net ${net_size}: ${net_ok}")
row("" "" "" ""
    "Trainer::memory_bytes ${training_memory_bytes} <= footprint::trainer ${trainer_size} (${trainer_extra}) <= ${trainer_bound}: ${trainer_ok}")
row("int8 inference: QuantizedNetwork, flash" "${int8_flash}" "${int8_ram}"
    "${int8_stack_high_water} (predict ${int8_stack_call})"
    "sizeof(QuantizedNetwork) ${int8_sizeof_quantized} = footprint::quantized ${quantized_size}, in flash: ${quantized_ok}, ${quantized_flash_ok}")
row("" "" "" ""
    "${quantized_size} <= float parameters ${int8_float_parameter_bytes} / 3 (${quantized_permille}/1000): ${quantized_third_ok}")
row("baseline: runtime and printf, no tinymlp" "${baseline_flash}" "${baseline_ram}" "-" "-")

math(EXPR inference_own_flash "${inference_flash} - ${baseline_flash} - ${parameters_size}")
math(EXPR int8_own_flash "${int8_flash} - ${baseline_flash} - ${quantized_size}")
math(EXPR training_own_flash "${training_flash} - ${baseline_flash}")
math(EXPR inference_own_ram "${inference_ram} - ${baseline_ram}")
math(EXPR training_own_ram "${training_ram} - ${baseline_ram} - ${net_size} - ${trainer_size}")
math(EXPR code_sgd_own_flash "${code_sgd_flash} - ${baseline_flash}")
math(EXPR inference_small_own_flash "${inference_small_flash} - ${baseline_flash} - ${parameters_size}")
math(EXPR code_sgd_small_own_flash "${code_sgd_small_flash} - ${baseline_flash}")
math(EXPR code_adam_small_own_flash "${code_adam_small_flash} - ${baseline_flash}")
math(EXPR code_adam_own_flash "${code_adam_flash} - ${baseline_flash}")
message("
Footprint of Sequential<Dense<32,64>, ReLU, Dense<64,64>, ReLU, Dense<64,8>> (${training_parameter_bytes} bytes of parameters) on ${MACHINE}, in bytes:

${table_text}
flash = .text (code + rodata) + vector table, .ARM.exidx, init arrays, .data's initial values; RAM = .data + .bss
(the 256 KiB .stack section is not counted). Stack high-water: deepest use of the program stack
from its top while the call ran (startup and main frames included); in parentheses the call's own use.

sections (size -A): inference .text ${inference_text} .data ${inference_data} .bss ${inference_bss}; training .text ${training_text} .data ${training_data} .bss ${training_bss}; baseline .text ${baseline_text} .data ${baseline_data} .bss ${baseline_bss}
inference flash ${inference_flash} = baseline ${baseline_flash} + parameters ${parameters_size} + tinymlp and program code ${inference_own_flash} (out-of-line tinymlp functions: ${inference_library})
inference RAM   ${inference_ram} = baseline ${baseline_ram} + input and output ${inference_own_ram}
int8 flash      ${int8_flash} = baseline ${baseline_flash} + QuantizedNetwork ${quantized_size} (int8 weights ${int8_weight_bytes}) + tinymlp and program code ${int8_own_flash}
training flash  ${training_flash} = baseline ${baseline_flash} + tinymlp and program code ${training_own_flash} (out-of-line tinymlp functions: ${training_library})
code beyond the baseline, batch 1 (training_code.cpp: network and trainer in RAM): SGD ${code_sgd_own_flash}, Adam ${code_adam_own_flash}; inference ${inference_own_flash} (goals: 8192, 10240, 3072)
  with TINYMLP_SMALL_CODE=1 (on M4/M7/M33 8-column loops only; instructions in instruction_counts_small): SGD ${code_sgd_small_own_flash}, Adam ${code_adam_small_own_flash}; inference ${inference_small_own_flash}
training RAM    ${training_ram} = baseline ${baseline_ram} + net ${net_size} + trainer ${trainer_size} + batch data ${training_own_ram}
trainer: training_bytes<${training_batch}> ${training_training_bytes} (gradients, activations, backward buffers) + Adam state ${training_optimizer_state_bytes} = memory_bytes ${training_memory_bytes}; sizeof(Trainer) ${training_sizeof_trainer}

Training memory of 32-64-64-8 at batch 1 (training_memory.cpp), in bytes; parameters ${memory_parameter_bytes}:

| trainer           | trains    | network  | state   | trainer - state   | trainer  | Trainer::memory_bytes <= footprint::<trainer> <= bound |
|-------------------|-----------|----------|---------|-------------------|----------|---|
${memory_rows}
network: the network object (last layer: only what it holds; its frozen layers are read from flash). state: optimizer
state. trainer - state: the RAM a step needs beyond the parameters and the optimizer state (gradients, activations,
settings). Goals: SGD fused ${sgd_goal} <= 2048, Adam fused beyond its state ${adam_goal} <= 2048.
")

if(failures)
    list(JOIN failures "\n  " text)
    message(FATAL_ERROR "footprint: a constexpr memory figure does not match the image:\n  ${text}")
endif()
message("footprint: every constexpr figure matches the objects in the images")
