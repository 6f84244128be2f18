# AArch64 guest programs (tests/guest/), built with the Debian cross compiler
# through custom commands so the host toolchain settings never leak in.
find_program(VMAPPLE_GUEST_CC aarch64-linux-gnu-gcc)
find_program(VMAPPLE_GUEST_OBJCOPY aarch64-linux-gnu-objcopy)
if(NOT VMAPPLE_GUEST_CC OR NOT VMAPPLE_GUEST_OBJCOPY)
  message(FATAL_ERROR "aarch64-linux-gnu-gcc/objcopy not found: run scripts/setup "
                      "(it installs gcc-aarch64-linux-gnu and binutils-aarch64-linux-gnu)")
endif()

# vmapple_guest_binary(NAME SOURCES a.S b.c [CFLAGS ...] [LDFLAGS ...] [FLAT])
# builds ${CMAKE_CURRENT_BINARY_DIR}/NAME.elf, and NAME.bin (a flat image)
# with FLAT. The target is NAME and builds with `all`.
function(vmapple_guest_binary name)
  cmake_parse_arguments(G "FLAT" "" "SOURCES;CFLAGS;LDFLAGS;DEPENDS" ${ARGN})
  set(srcs)
  foreach(s IN LISTS G_SOURCES)
    list(APPEND srcs ${CMAKE_CURRENT_SOURCE_DIR}/${s})
  endforeach()
  set(elf ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  add_custom_command(
    OUTPUT ${elf}
    COMMAND ${VMAPPLE_GUEST_CC} ${G_CFLAGS} -o ${elf} ${srcs} ${G_LDFLAGS}
    DEPENDS ${srcs} ${G_DEPENDS}
    COMMENT "Building guest program ${name}"
    VERBATIM)
  set(outputs ${elf})
  if(G_FLAT)
    set(bin ${CMAKE_CURRENT_BINARY_DIR}/${name}.bin)
    add_custom_command(OUTPUT ${bin} COMMAND ${VMAPPLE_GUEST_OBJCOPY} -O binary ${elf} ${bin}
                       DEPENDS ${elf} VERBATIM)
    list(APPEND outputs ${bin})
  endif()
  add_custom_target(${name} ALL DEPENDS ${outputs})
endfunction()
