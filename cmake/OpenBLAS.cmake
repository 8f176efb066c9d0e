# Finds OpenBLAS from the org.bytedeco:openblas Maven artifact (no system BLAS is needed).
# KILN_OPENBLAS_ROOT: a folder holding include/cblas.h and libopenblas.so.0 (the Maven build passes the
# unpacked classifier jar). Without it, the jar is taken from the local Maven repository and unpacked here.
set(KILN_OPENBLAS_VERSION "0.3.30-1.5.12")
set(KILN_OPENBLAS_ROOT "" CACHE PATH "Folder with include/cblas.h and libopenblas.so.0")

if(NOT KILN_OPENBLAS_ROOT)
  if(DEFINED ENV{MAVEN_REPO})
    set(_m2 "$ENV{MAVEN_REPO}")
  else()
    set(_m2 "$ENV{HOME}/.m2/repository")
  endif()
  set(_jar "${_m2}/org/bytedeco/openblas/${KILN_OPENBLAS_VERSION}/openblas-${KILN_OPENBLAS_VERSION}-linux-x86_64.jar")
  if(NOT EXISTS "${_jar}")
    message(FATAL_ERROR "OpenBLAS not found: ${_jar} is missing. Fetch it with\n"
      "  mvn -B -q dependency:get -Dartifact=org.bytedeco:openblas:${KILN_OPENBLAS_VERSION}:jar:linux-x86_64\n"
      "or pass -DKILN_OPENBLAS_ROOT=<folder with include/cblas.h and libopenblas.so.0>.")
  endif()
  set(_dest "${CMAKE_BINARY_DIR}/openblas-jar")
  if(NOT EXISTS "${_dest}/org/bytedeco/openblas/linux-x86_64/include/cblas.h")
    file(MAKE_DIRECTORY "${_dest}")
    execute_process(COMMAND ${CMAKE_COMMAND} -E tar xf "${_jar}" WORKING_DIRECTORY "${_dest}"
                    RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR "could not unpack ${_jar}")
    endif()
  endif()
  set(KILN_OPENBLAS_ROOT "${_dest}/org/bytedeco/openblas/linux-x86_64")
endif()

# The jar's OpenBLASConfig.cmake is broken, so the header and library are taken by path. The jar ships
# only the versioned name; a plain-name link in the build tree lets any linker find it with -lopenblas.
find_path(KILN_CBLAS_INCLUDE cblas.h PATHS "${KILN_OPENBLAS_ROOT}/include" NO_DEFAULT_PATH REQUIRED)
set(KILN_OPENBLAS_LIBDIR "${CMAKE_BINARY_DIR}/openblas-lib")
file(MAKE_DIRECTORY "${KILN_OPENBLAS_LIBDIR}")
foreach(_lib libopenblas.so.0 libgfortran.so.5 libquadmath.so.0 libgcc_s.so.1)
  if(EXISTS "${KILN_OPENBLAS_ROOT}/${_lib}")
    file(CREATE_LINK "${KILN_OPENBLAS_ROOT}/${_lib}" "${KILN_OPENBLAS_LIBDIR}/${_lib}" SYMBOLIC)
  endif()
endforeach()
file(CREATE_LINK "${KILN_OPENBLAS_ROOT}/libopenblas.so.0" "${KILN_OPENBLAS_LIBDIR}/libopenblas.so" SYMBOLIC)

add_library(kiln_openblas SHARED IMPORTED)
set_target_properties(kiln_openblas PROPERTIES
  IMPORTED_LOCATION "${KILN_OPENBLAS_LIBDIR}/libopenblas.so.0"
  IMPORTED_NO_SONAME FALSE
  INTERFACE_INCLUDE_DIRECTORIES "${KILN_CBLAS_INCLUDE}")
message(STATUS "OpenBLAS: ${KILN_OPENBLAS_ROOT}")
