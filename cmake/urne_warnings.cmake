# One place for warning and sanitizer flags, applied per target with
# urne_target_defaults(<target>) so that third-party code is not affected.

function(urne_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wimplicit-fallthrough)
  if(URNE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(URNE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
      -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# ---- libFuzzer (URNE_FUZZ, scripts/fuzz.sh) ----------------------------------
# Every urne target gets libFuzzer's coverage instrumentation without its
# main(); fuzz/CMakeLists.txt links the fuzzers with -fsanitize=fuzzer.
# Only clang has libFuzzer: refuse other compilers at configure time rather
# than fail at the first link.
if(URNE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "URNE_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
